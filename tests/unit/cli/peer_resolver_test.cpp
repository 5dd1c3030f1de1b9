#include "cli/peer_resolver.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

// Ids of the documented form (52 base32 characters) whose starts differ as the tests need.
const std::string kKitchen = "KITCHENAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const std::string kTwinA = "TWINAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const std::string kTwinB = "TWINBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const std::string kLaptop = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3A";

PeerRecord peer(std::string name, std::string id, bool online = true) {
  return PeerRecord{.id = std::move(id), .name = std::move(name), .online = online, .verified = true};
}

PeerResolver resolver() {
  return PeerResolver({peer("kitchen", kKitchen), peer("twin", kTwinA), peer("twin", kTwinB, false),
                       peer("Laptop", kLaptop)});
}

TEST(PeerResolver, FindsAPeerByItsName) {
  const auto found = resolver().resolve("kitchen");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, kKitchen);
}

TEST(PeerResolver, FindsAPeerByTheStartOfItsIdInAnyCase) {
  for (const char* prefix : {"MFRG", "mfrgg", "MfRgGzDf", kLaptop.c_str()}) {
    const auto found = resolver().resolve(prefix);
    ASSERT_TRUE(found) << prefix << ": " << found.error().message;
    EXPECT_EQ(found->id, kLaptop) << prefix;
  }
  const auto twin_b = resolver().resolve("twinb");
  ASSERT_TRUE(twin_b) << twin_b.error().message;
  EXPECT_EQ(twin_b->id, kTwinB);
}

TEST(PeerResolver, NeedsFourCharactersOfAnId) {
  const auto found = resolver().resolve("MFR");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ExitCode::usage);
  EXPECT_NE(found.error().message.find("at least 4 characters"), std::string::npos) << found.error().message;
}

TEST(PeerResolver, ANameInAnotherCaseFindsThePeerUnlessOneIsSpelledExactly) {
  const auto found = resolver().resolve("KITCHEN");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, kKitchen);
  const PeerResolver both({peer("Old kitchen", kTwinA), peer("old kitchen", kKitchen)});
  const auto exact = both.resolve("old kitchen");
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_EQ(exact->id, kKitchen);
  EXPECT_FALSE(both.resolve("OLD KITCHEN")) << "two names in other cases: ambiguous";
}

TEST(PeerResolver, AnAmbiguousPeerIsAUsageErrorThatListsTheCandidates) {
  const auto found = resolver().resolve("twin");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ExitCode::usage);
  const auto& message = found.error().message;
  EXPECT_NE(message.find("\"twin\" could be 2 peers"), std::string::npos) << message;
  EXPECT_NE(message.find("\n  twin  TWINAAA  online"), std::string::npos) << message;
  EXPECT_NE(message.find("\n  twin  TWINBBB  offline"), std::string::npos) << message;
  EXPECT_EQ(message.find("kitchen"), std::string::npos) << message;
}

TEST(PeerResolver, ANameThatIsAlsoAnIdPrefixOfAnotherPeerIsAmbiguous) {
  const PeerResolver peers({peer("mfrg", kKitchen), peer("laptop", kLaptop)});
  const auto found = peers.resolve("mfrg");
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("KITCHEN"), std::string::npos) << found.error().message;
  EXPECT_NE(found.error().message.find("MFRGGZD"), std::string::npos) << found.error().message;
}

TEST(PeerResolver, AnUnknownPeerIsAUsageErrorThatListsTheKnownOnes) {
  const auto found = resolver().resolve("garage");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ExitCode::usage);
  const auto& message = found.error().message;
  EXPECT_NE(message.find("no peer is called \"garage\" or has an id that starts with it"), std::string::npos)
      << message;
  for (const char* listed : {"kitchen  KITCHEN", "twin  TWINAAA", "twin  TWINBBB", "Laptop  MFRGGZD"}) {
    EXPECT_NE(message.find(listed), std::string::npos) << listed << " in " << message;
  }
  const auto none = PeerResolver({}).resolve("garage");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no peers are known yet"), std::string::npos) << none.error().message;
  EXPECT_EQ(PeerResolver({}).resolve("").error().code, ExitCode::usage);
}

TEST(PeerResolver, NamesOnlyPeersWhoseKeyAHandshakeProved) {
  auto spoofed = peer("kitchen", kTwinA);  // anyone can announce a name
  spoofed.verified = false;
  auto heard = peer("attic", kTwinB);
  heard.verified = false;
  const PeerResolver peers({peer("kitchen", kKitchen), spoofed, heard});
  const auto kitchen = peers.resolve("kitchen");
  ASSERT_TRUE(kitchen) << kitchen.error().message;
  EXPECT_EQ(kitchen->id, kKitchen);
  const auto attic = peers.resolve("attic");
  ASSERT_FALSE(attic);
  EXPECT_EQ(attic.error().code, ExitCode::failed);
  EXPECT_EQ(attic.error().message,
            "\"attic\" has not proved its key yet (peerdrop peers shows it as unverified); try again once its daemon "
            "answered a handshake");
  EXPECT_FALSE(peers.resolve("TWINA")) << "nor by its id";
  const auto unknown = peers.resolve("garage");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message.find("TWIN"), std::string::npos) << "only verified peers are offered";
}

TEST(PeerResolver, ShowsAHostileNameHarmlessly) {
  const PeerResolver peers({peer("evil\x1b]0;owned\x07", kKitchen), peer("evil\x1b]0;owned\x07", kLaptop)});
  const auto found = peers.resolve("evil\x1b]0;owned\x07");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message.find('\x1b'), std::string::npos) << found.error().message;
  EXPECT_EQ(found.error().message.find('\x07'), std::string::npos) << found.error().message;
}

TEST(PeerResolver, ListsAtMostTwentyCandidates) {
  std::vector<PeerRecord> many;
  for (int i = 0; i < 25; ++i) {
    auto id = kKitchen;
    id[8] = static_cast<char>('A' + i);
    many.push_back(peer("same", id));
  }
  const auto found = PeerResolver(many).resolve("same");
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("could be 25 peers"), std::string::npos) << found.error().message;
  EXPECT_NE(found.error().message.find("\n  and 5 more"), std::string::npos) << found.error().message;
}

}  // namespace
}  // namespace peerdrop::cli
