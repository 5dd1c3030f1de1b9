#include "ui/ui_router.hpp"

#include <variant>

#include "ui/ui_message_parser.hpp"
#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

UiRouter::UiRouter(UiSender& tabs, PeerFeed& feed, SignalRouter& signals, IceServerList& ice_servers,
                   FileTransferHandler& files)
    : tabs_(tabs), feed_(feed), signals_(signals), ice_servers_(ice_servers), files_(files) {}

void UiRouter::opened(Tab tab) {
  feed_.greet(tab);
  files_.greet(tab);
}

void UiRouter::text(Tab tab, std::string_view message) {
  auto parsed = parse_ui_message(message);
  if (!parsed) {
    const auto refusal = parsed.error();
    tabs_.send_to(tab, serialize(ErrorMessage{.code = refusal.code, .error = refusal.message, .ref = refusal.ref}));
    return;
  }
  const auto& ref = parsed->ref;
  std::visit(
      [&](const auto& request) {
        using T = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<T, SignalRequest>) {
          signals_.on(tab, request, ref);
        } else if constexpr (std::is_same_v<T, SessionUpdate>) {
          signals_.on(tab, request);
        } else if constexpr (std::is_same_v<T, GetPeers>) {
          feed_.send_peers(tab);
        } else if constexpr (std::is_same_v<T, IceServersRequest>) {
          ice_servers_.on(tab, request, ref);
        } else {
          files_.on(tab, request, ref);  // FileOpen, FileFinish, FileCancel
        }
      },
      parsed->request);
}

void UiRouter::binary(Tab tab, std::span<const std::uint8_t> frame) { files_.on_binary(tab, frame); }

void UiRouter::closed(Tab tab) {
  signals_.tab_closed(tab);
  files_.tab_closed(tab);
}

}  // namespace peerdrop::ui
