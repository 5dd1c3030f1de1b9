#include "cli/peer_record.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

const std::string kId = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3A";

std::string peer_json(const std::string& replace_key = "", const std::string& with = "") {
  std::vector<std::pair<std::string, std::string>> fields{
      {"id", "\"" + kId + "\""}, {"name", "\"kitchen\""},  {"addresses", "[\"198.51.100.2:3001\"]"},
      {"candidates", "[]"},      {"verified", "true"},      {"channel", "true"},
      {"online", "true"},        {"sources", "[\"scan\"]"}, {"lastSeen", "1764000000000"},
      {"lastConnected", "0"}};
  std::string out = "{";
  for (const auto& [key, value] : fields) {
    if (key == replace_key && with.empty()) continue;
    out += (out.size() > 1 ? "," : "") + ("\"" + key + "\":") + (key == replace_key ? with : value);
  }
  if (replace_key == "outdated") out += ",\"outdated\":" + with;
  return out + "}";
}

TEST(PeerRecord, ReadsWhatGetApiPeersAnswers) {
  const auto peers = parse_peer_records("[" + peer_json() + "," + peer_json("outdated", "true") + "]");
  ASSERT_TRUE(peers);
  ASSERT_EQ(peers->size(), 2u);
  const auto& peer = peers->front();
  EXPECT_EQ(peer.id, kId);
  EXPECT_EQ(peer.name, "kitchen");
  EXPECT_EQ(peer.addresses, std::vector<std::string>{"198.51.100.2:3001"});
  EXPECT_TRUE(peer.online);
  EXPECT_TRUE(peer.verified);
  EXPECT_FALSE(peer.outdated);
  EXPECT_EQ(peer.last_seen_ms, 1764000000000);
  EXPECT_TRUE(peers->back().outdated);
  EXPECT_TRUE(parse_peer_records("[]"));
}

TEST(PeerRecord, RefusesAnAnswerWithAFieldMissingOrOfTheWrongType) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"id", ""},
                                                        {"id", "\"not-an-id\""},
                                                        {"id", "7"},
                                                        {"name", ""},
                                                        {"name", "null"},
                                                        {"addresses", ""},
                                                        {"addresses", "\"198.51.100.2:3001\""},
                                                        {"addresses", "[1]"},
                                                        {"online", "\"true\""},
                                                        {"verified", "1"},
                                                        {"lastSeen", "-1"},
                                                        {"lastSeen", "1.5"},
                                                        {"outdated", "\"yes\""}}) {
    const auto body = "[" + peer_json(key, value) + "]";
    EXPECT_FALSE(parse_peer_records(body)) << body;
  }
  for (const char* body : {"", "{}", "[1]", "[[]]", "null", "[", "{\"peers\":[]}"}) {
    EXPECT_FALSE(parse_peer_records(body)) << body;
  }
}

}  // namespace
}  // namespace peerdrop::cli
