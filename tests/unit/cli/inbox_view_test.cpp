#include "cli/inbox_view.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

constexpr std::int64_t kNow = 1'764'000'060'000;  // a minute after the offer was made

boost::json::array files(std::initializer_list<const char*> paths) {
  boost::json::array list;
  for (const char* path : paths) list.emplace_back(boost::json::object{{"path", path}, {"size", 10}});
  return list;
}

TransferRecord offer(boost::json::object changes) {
  changes["direction"] = "incoming";
  return *parse_transfer_record(testing::transfer_json(changes));
}

TEST(InboxView, SaysWhenNothingWaits) {
  EXPECT_EQ(inbox_text(InboxFacts{.offers = {}, .now_ms = kNow}), "Nothing waits for an answer.\n");
  EXPECT_EQ(boost::json::serialize(inbox_json(InboxFacts{})), R"({"offers":[],"messages":[]})");
}

UnreadMessage message(std::string peer, std::string text, std::int64_t sent_at) {
  return UnreadMessage{.id = "m1", .peer = std::move(peer), .text = std::move(text), .sent_at_ms = sent_at,
                       .json = boost::json::object{{"id", "m1"}}};
}

TEST(InboxView, ListsUnreadMessagesAfterTheOffers) {
  const std::string kitchen = "KITCHENAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  InboxFacts facts{.offers = {}, .now_ms = kNow,
                   .messages = {message(kitchen, "Dinner is ready", kNow - 5 * 60'000),
                                message("UNKNOWNBBBBBBB", "first line\nsecond line\x1b[2J", kNow - 10'000)},
                   .peer_names = {{kitchen, "kitchen"}}};
  EXPECT_EQ(inbox_text(facts),
            "2 unread messages:\n"
            "  from kitchen (KITCHEN), 5 min ago: Dinner is ready\n"
            "  from a peer (UNKNOWN), just now: first line …\n"
            "Read and answer them in PeerDrop (peerdrop open), or with peerdrop msg PEER TEXT.\n");
  facts.offers = {offer({{"files", files({"report.pdf"})}, {"file_count", 1}})};
  const auto both = inbox_text(facts);
  EXPECT_LT(both.find("offer waits"), both.find("unread messages")) << both;
  EXPECT_EQ(boost::json::serialize(inbox_json(facts)).find(R"("messages":[{"id":"m1"},{"id":"m1"}])") !=
                std::string::npos,
            true);
}

TEST(InboxView, SaysHowLongAgo) {
  EXPECT_EQ(ago_text(kNow - 59'000, kNow), "just now");
  EXPECT_EQ(ago_text(kNow - 60'000, kNow), "1 min ago");
  EXPECT_EQ(ago_text(kNow - 3 * 3'600'000, kNow), "3 h ago");
  EXPECT_EQ(ago_text(kNow - 3 * 86'400'000LL, kNow), "3 days ago");
  EXPECT_EQ(ago_text(kNow + 5'000, kNow), "just now") << "a sender's clock ahead of ours";
}

TEST(InboxView, ListsEachOfferWithItsFirstFiles) {
  const InboxFacts facts{
      .offers = {offer({{"files", files({"report.pdf", "photos/a.jpg", "photos/b.jpg"})}, {"file_count", 5}}),
                 offer({{"tid", "Zz_-aaaaaaaaaaaaaaaaaa"},
                        {"peer_name", ""},
                        {"file_count", 1},
                        {"total_bytes", 2048},
                        {"expires_at", kNow + 30'000},
                        {"files", files({"notes.txt"})}})},
      .now_ms = kNow};
  EXPECT_EQ(inbox_text(facts),
            "2 offers wait for an answer:\n"
            "  K3F9XZ2A  from bob (BOBBBBB)  5 files, 50.0 MiB  expires in 9 min\n"
            "            report.pdf, photos/a.jpg, photos/b.jpg and 2 more\n"
            "  Zz_-aaaa  from BOBBBBB…  1 file, 2.0 KiB  expires in 30 s\n"
            "            notes.txt\n"
            "Accept with: peerdrop accept <id>   Decline with: peerdrop decline <id>\n");
}

TEST(InboxView, NamesFromThePeerCannotTakeOverTheTerminal) {
  const std::string long_name(200, 'x');
  const InboxFacts facts{.offers = {offer({{"peer_name", "bob\x1b[2J"},
                                           {"file_count", 2},
                                           {"files", files({"\x1b]0;title\x07.txt", long_name.c_str()})}})},
                         .now_ms = kNow};
  const auto text = inbox_text(facts);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(39, 'x') + "…\n"), std::string::npos) << "a long name is cut: " << text;
  EXPECT_EQ(text.find(std::string(40, 'x')), std::string::npos) << text;
}

TEST(InboxView, AnIdThatLooksLikeAnOptionGetsAHint) {
  const InboxFacts facts{.offers = {offer({{"tid", "-bcdefghijklmnopqrstuv"}})}, .now_ms = kNow};
  EXPECT_NE(inbox_text(facts).find("(An id that starts with - goes after --: peerdrop accept -- -bcdefgh)\n"),
            std::string::npos)
      << inbox_text(facts);
}

TEST(InboxView, JsonIsTheDaemonsOwn) {
  const InboxFacts facts{.offers = {offer({{"files", files({"a"})}, {"new_field", "kept"}})}, .now_ms = kNow};
  const auto json = inbox_json(facts);
  const auto& first = json.at("offers").as_array().at(0).as_object();
  EXPECT_EQ(first.at("tid"), testing::kTid.c_str());
  EXPECT_EQ(first.at("new_field"), "kept");
  EXPECT_EQ(first.at("files").as_array().size(), 1u);
}

TEST(InboxView, SaysWhenAnOfferExpires) {
  EXPECT_EQ(expires_text(kNow + 9 * 60'000, kNow), "expires in 9 min");
  EXPECT_EQ(expires_text(kNow + 8 * 60'000 + 1, kNow), "expires in 9 min");
  EXPECT_EQ(expires_text(kNow + 59'001, kNow), "expires in 60 s");
  EXPECT_EQ(expires_text(kNow + 1, kNow), "expires in 1 s");
  EXPECT_EQ(expires_text(kNow, kNow), "expires now");
  EXPECT_EQ(expires_text(kNow - 5'000, kNow), "expires now");
}

}  // namespace
}  // namespace peerdrop::cli
