#include "cli/transfer_resolver.hpp"

#include <gtest/gtest.h>

#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

TransferRecord offer(const std::string& tid, const std::string& from = "bob") {
  auto record = *parse_transfer_record(testing::transfer_json({{"tid", tid}, {"direction", "incoming"}}));
  record.peer_name = from;
  return record;
}

const std::string kFirst = "AbCd1234efgh5678ijkl90";
const std::string kSecond = "AbCe9999efgh5678ijkl90";
const std::string kThird = "Zz_-aaaaaaaaaaaaaaaaaa";

TransferResolver offers() { return TransferResolver({offer(kFirst), offer(kSecond, "carol"), offer(kThird)}, "offer"); }

TEST(TransferResolver, FindsAnOfferByItsIdOrTheStartOfIt) {
  for (const auto& query : {kFirst, std::string("AbCd"), std::string("AbCd1234")}) {
    const auto found = offers().resolve(query);
    ASSERT_TRUE(found) << query << ": " << found.error().message;
    EXPECT_EQ(found->tid, kFirst);
  }
  EXPECT_EQ(offers().resolve("Zz_-")->tid, kThird);
}

TEST(TransferResolver, AShortOrAmbiguousStartIsAUsageError) {
  const auto found = offers().resolve("AbC");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ExitCode::usage);
  EXPECT_EQ(found.error().message,
            "name an offer by its id, or the first 4 or more characters of it (\"AbC\" is too short); peerdrop inbox "
            "lists them");
  const auto both =
      TransferResolver({offer(kFirst), offer("AbCdXXXXefgh5678ijkl90", "carol")}, "offer").resolve("AbCd");
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().code, ExitCode::usage);
  EXPECT_EQ(both.error().message,
            "\"AbCd\" could be 2 offers; give more of its id:\n"
            "  AbCd1234  from bob (BOBBBBB)  3 files, 50.0 MiB  offered\n"
            "  AbCdXXXX  from carol (BOBBBBB)  3 files, 50.0 MiB  offered");
}

TEST(TransferResolver, AnUnknownIdListsTheOffersThere) {
  const auto found = offers().resolve("abcd");  // case counts: ids are base64url
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ExitCode::usage);
  EXPECT_EQ(found.error().message,
            "no offer here has an id that starts with \"abcd\"; the offers are:\n"
            "  AbCd1234  from bob (BOBBBBB)  3 files, 50.0 MiB  offered\n"
            "  AbCe9999  from carol (BOBBBBB)  3 files, 50.0 MiB  offered\n"
            "  Zz_-aaaa  from bob (BOBBBBB)  3 files, 50.0 MiB  offered");
  const auto none = TransferResolver({}, "offer").resolve("AbCd");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ExitCode::usage);
  EXPECT_EQ(none.error().message,
            "no offer here has an id that starts with \"AbCd\"; nothing waits for an answer (it "
            "may have been answered, have expired or been cancelled)");
}

TEST(TransferResolver, QuotesWhatWasTypedSafely) {
  const auto found = offers().resolve("\x1b]0;owned\x07");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message.find('\x1b'), std::string::npos) << found.error().message;
}

TEST(TransferResolver, SaysWhichDirectionATransferGoes) {
  auto outgoing = *parse_transfer_record(testing::transfer_json({{"state", "accepted"}}));
  EXPECT_EQ(TransferResolver::candidate_line(outgoing), "  K3F9XZ2A  to bob (BOBBBBB)  3 files, 50.0 MiB  accepted");
  const auto found = TransferResolver({outgoing}, "transfer").resolve("K3F");
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("name a transfer by its id"), std::string::npos) << found.error().message;
  EXPECT_NE(found.error().message.find("peerdrop status lists them"), std::string::npos) << found.error().message;
}

}  // namespace
}  // namespace peerdrop::cli
