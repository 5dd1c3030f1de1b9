#include "cli/transfer_record.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

using testing::kBobId;
using testing::kTid;
using testing::transfer_json;
using testing::transfer_object;

TEST(TransferRecord, ReadsATransferAsTheDaemonDescribesIt) {
  const auto record = parse_transfer_record(transfer_json(
      {{"state", "accepted"},
       {"done_bytes", 1024},
       {"files_landed", 1},
       {"stalled", "the receiver's disk is full"},
       {"answered_by", "command line"},
       {"files",
        boost::json::array{boost::json::object{{"index", 0}, {"path", "a.txt"}, {"size", 5}, {"name", "a (1).txt"}},
                           boost::json::object{{"index", 1}, {"path", "d/b.txt"}, {"size", 7}}}},
       {"something_new", 1}}));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->tid, kTid);
  EXPECT_FALSE(record->incoming);
  EXPECT_EQ(record->peer, kBobId);
  EXPECT_EQ(record->peer_name, "bob");
  EXPECT_EQ(record->state, "accepted");
  EXPECT_TRUE(record->active());
  EXPECT_EQ(record->file_count, 3u);
  EXPECT_EQ(record->total_bytes, 50u * 1024 * 1024);
  EXPECT_EQ(record->done_bytes, 1024u);
  EXPECT_EQ(record->files_landed, 1u);
  EXPECT_EQ(record->created_at, 1'764'000'000'000);
  EXPECT_EQ(record->expires_at, 1'764'000'600'000);
  EXPECT_EQ(record->stalled, "the receiver's disk is full");
  EXPECT_EQ(record->answered_by, "command line");
  ASSERT_EQ(record->files.size(), 2u);
  EXPECT_EQ(record->files[0].path, "a.txt");
  EXPECT_EQ(record->files[0].size, 5u);
  EXPECT_EQ(record->files[0].name, "a (1).txt");
  EXPECT_EQ(record->files[1].name, "");
  EXPECT_TRUE(record->json.contains("something_new")) << "--json prints what the daemon said";
}

TEST(TransferRecord, ReadsHowATransferEnded) {
  const auto record = parse_transfer_record(transfer_json({{"direction", "incoming"},
                                                           {"state", "declined"},
                                                           {"code", "declined"},
                                                           {"reason", "the receiver declined"},
                                                           {"expires_at", nullptr}}));
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->incoming);
  EXPECT_FALSE(record->active());
  EXPECT_EQ(record->code, "declined");
  EXPECT_EQ(record->reason, "the receiver declined");
  EXPECT_FALSE(record->expires_at);
}

TEST(TransferRecord, RefusesAFieldMissingOrOfTheWrongType) {
  for (const char* key : {"tid", "direction", "peer", "peer_name", "state", "file_count", "total_bytes", "done_bytes",
                          "files_landed", "created_at", "updated_at"}) {
    EXPECT_FALSE(parse_transfer_record(transfer_json({{key, nullptr}}))) << key << " missing";
    EXPECT_FALSE(parse_transfer_record(transfer_json({{key, boost::json::array{}}}))) << key << " an array";
  }
  for (const char* key : {"code", "reason", "answered_by", "stalled", "expires_at", "files"}) {
    EXPECT_FALSE(parse_transfer_record(transfer_json({{key, 7.5}}))) << key;
  }
}

TEST(TransferRecord, RefusesHostileOrImpossibleValues) {
  const std::vector<boost::json::object> hostile{
      {{"tid", "../../api/settings"}},  // would change the URL it is put in
      {{"tid", "K3F9XZ2A?token=xyzxyzxyzxyz"}},
      {{"tid", "short"}},
      {{"tid", std::string(33, 'A')}},
      {{"peer", "bob"}},
      {{"direction", "sideways"}},
      {{"state", "exploded"}},
      {{"file_count", -1}},
      {{"total_bytes", -5}},
      {{"done_bytes", 50 * 1024 * 1024 + 1}},  // more done than there is
      {{"files_landed", 4}},                   // more files than the transfer has
      {{"total_bytes", 1e300}},
      {{"created_at", 1.5}},
      {{"files", boost::json::array{1, 2}}},
      {{"files", boost::json::array{boost::json::object{{"path", "a"}}}}},
      {{"files", boost::json::array{boost::json::object{{"path", 1}, {"size", 1}}}}},
      {{"files", boost::json::array{boost::json::object{{"path", "a"}, {"size", 1}, {"name", false}}}}},
      {{"files", boost::json::array(4, boost::json::object{{"path", "a"}, {"size", 1}})}},  // more than file_count
  };
  for (const auto& changes : hostile) {
    EXPECT_FALSE(parse_transfer_record(transfer_json(changes))) << boost::json::serialize(changes);
  }
  for (const char* bad : {"", "null", "[]", "{}", "{\"tid\":", "\"text\"", "<html>"}) {
    EXPECT_FALSE(parse_transfer_record(bad)) << bad;
  }
  EXPECT_FALSE(parse_transfer_record(std::string(1000, '['))) << "too deep";
}

TEST(TransferRecord, ReadsTheListsOfTransfersAndOffers) {
  const auto list = "{\"transfers\":[" + transfer_json() + "," + transfer_json({{"state", "done"}}) + "]}";
  const auto transfers = parse_transfer_records(list, "transfers");
  ASSERT_TRUE(transfers);
  ASSERT_EQ(transfers->size(), 2u);
  EXPECT_EQ(transfers->at(1).state, "done");
  EXPECT_FALSE(parse_transfer_records(list, "offers"));
  EXPECT_TRUE(parse_transfer_records("{\"offers\":[]}", "offers"));
  for (const std::string& bad :
       std::vector<std::string>{"[]", "{\"offers\":{}}", "{\"offers\":[1]}", "{\"offers\":null}",
                                "{\"offers\":[" + transfer_json() + ",{}]}"}) {
    EXPECT_FALSE(parse_transfer_records(bad, "offers")) << bad;
  }
}

TEST(TransferRecord, KnowsATransferIdWhenItSeesOne) {
  EXPECT_TRUE(looks_like_transfer_id(kTid));
  EXPECT_TRUE(looks_like_transfer_id("-abcdefghijklmnopqrstu"));
  EXPECT_FALSE(looks_like_transfer_id("abcdefghijklmnopqrstu"));  // 21
  EXPECT_FALSE(looks_like_transfer_id("abcdefghijklmnopqrst/v"));
  EXPECT_FALSE(looks_like_transfer_id("abcdefghijklmnopqrst%2F"));
}

}  // namespace
}  // namespace peerdrop::cli
