#include "cli/peers_view.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace peerdrop::cli {
namespace {

const std::string kKitchen = "KITCHENAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const std::string kGarage = "GARAGEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const std::string kAttic = "ATTICAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

std::vector<PeerRecord> peers() {
  return {
      PeerRecord{.id = kGarage, .name = "garage", .online = false, .verified = true, .last_seen_ms = 1700000000000},
      PeerRecord{.id = kKitchen,
                 .name = "kitchen",
                 .addresses = {"198.51.100.2:3001", "203.0.113.9:3001"},
                 .online = true,
                 .verified = true,
                 .last_seen_ms = 1764000000000},
      PeerRecord{.id = kAttic, .name = "attic", .online = true, .verified = false, .outdated = true},
  };
}

TEST(PeersView, ShowsOnlinePeersFirstThenByName) {
  const auto sorted = sorted_for_display(peers());
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].name, "attic");
  EXPECT_EQ(sorted[1].name, "kitchen");
  EXPECT_EQ(sorted[2].name, "garage");
}

TEST(PeersView, JsonHasTheDocumentedShape) {
  const auto json = peers_json(sorted_for_display(peers()), {kKitchen});
  EXPECT_EQ(boost::json::serialize(json),
            "{\"peers\":["
            "{\"id\":\"" + kAttic + "\",\"name\":\"attic\",\"online\":true,\"verified\":false,\"outdated\":true,"
            "\"trusted\":false,\"addresses\":[],\"lastSeen\":0},"
            "{\"id\":\"" + kKitchen + "\",\"name\":\"kitchen\",\"online\":true,\"verified\":true,\"outdated\":false,"
            "\"trusted\":true,\"addresses\":[\"198.51.100.2:3001\",\"203.0.113.9:3001\"],\"lastSeen\":1764000000000},"
            "{\"id\":\"" + kGarage + "\",\"name\":\"garage\",\"online\":false,\"verified\":true,\"outdated\":false,"
            "\"trusted\":false,\"addresses\":[],\"lastSeen\":1700000000000}]}");
  EXPECT_EQ(boost::json::serialize(peers_json({}, {})), "{\"peers\":[]}");
}

TEST(PeersView, TableHasAColumnForEachFact) {
  EXPECT_EQ(peers_table(sorted_for_display(peers()), {kKitchen}),
            "NAME     ID       STATE    ADDRESSES                           NOTES\n"
            "attic    ATTICAA  online   -                                   unverified,outdated\n"
            "kitchen  KITCHEN  online   198.51.100.2:3001,203.0.113.9:3001  trusted\n"
            "garage   GARAGEA  offline  -\n");
}

TEST(PeersView, TableSaysWhenThereIsNobody) {
  EXPECT_NE(peers_table({}, {}).find("No peers known yet"), std::string::npos);
}

TEST(PeersView, TableShowsAHostileNameHarmlessly) {
  std::vector<PeerRecord> hostile{PeerRecord{.id = kKitchen, .name = "a\x1b[2Jb\xff\u202egpj.exe", .online = true}};
  const auto table = peers_table(hostile, {});
  EXPECT_EQ(table.find('\x1b'), std::string::npos) << table;
  EXPECT_EQ(table.find("\u202e"), std::string::npos) << table;
  EXPECT_NE(table.find("a\uFFFD[2Jb\uFFFD\uFFFDgpj.exe"), std::string::npos) << table;
  // JSON carries the name as it is, escaped by JSON's rules.
  EXPECT_NE(boost::json::serialize(peers_json(hostile, {})).find("a\\u001b[2Jb"), std::string::npos);
}

}  // namespace
}  // namespace peerdrop::cli
