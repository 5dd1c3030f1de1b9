#include "cli/inbox_command.hpp"

#include <boost/json/serialize.hpp>

#include "cli/inbox_view.hpp"

namespace peerdrop::cli {

Outcome<> InboxCommand::run(const CommandContext& context) const {
  auto offers = context.daemon.offers();
  if (!offers) return offers.error();
  const InboxFacts facts{.offers = std::move(*offers), .now_ms = clock_.unix_ms()};
  if (json_) {
    context.out << boost::json::serialize(inbox_json(facts)) << "\n";
  } else {
    context.out << inbox_text(facts);
  }
  return {};
}

}  // namespace peerdrop::cli
