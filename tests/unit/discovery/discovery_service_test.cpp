#include "discovery/discovery_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "core/base64.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::discovery {
namespace {

using namespace std::chrono_literals;

// The service without its sockets (never opened or started): what it does
// with the table, the store and the name.
class DiscoveryServiceTest : public ::testing::Test {
 protected:
  DiscoveryServiceTest() { other_signer_.set_ports(3001, 3001); }

  // `changes` counts the peer list's changes.
  std::unique_ptr<DiscoveryService> make_service(discovery::PeerStore& store, int* changes = nullptr) {
    return std::make_unique<DiscoveryService>(
        io_.get_executor(), config_, 3001, clock_, signer_, store, channels_,
        DiscoveryService::Hooks{.peers_changed = [changes] { changes && ++*changes; }}, core::make_logger("test"));
  }
  // The other daemon opened a channel to us and said hello on it.
  void hello_from_other(DiscoveryService& discovery) {
    discovery.hello(other_.peer_id(), other_signer_.make(AnnouncementKind::probe), "127.0.0.2", true);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  boost::asio::io_context io_;
  DiscoveryConfig config_{.loopback = true};
  identity::Identity self_ = identity::Identity::generate();
  identity::Identity other_ = identity::Identity::generate();
  AnnouncementSigner signer_{self_, clock_, "self"};
  AnnouncementSigner other_signer_{other_, clock_, "other"};
  channel::ChannelConfig channel_config_;
  channel::ChannelHub channels_{io_.get_executor(), self_, clock_, channel_config_, {}, core::make_logger("test")};
};

TEST_F(DiscoveryServiceTest, RemembersAPeersLastConnectionAcrossARestart) {
  const auto id = other_.peer_id();
  std::int64_t connected_at = 0;
  {
    store::SqliteDatabase db(dir_.path() / "peerdrop.db");
    discovery::PeerStore store(db);
    int changes = 0;
    auto discovery = make_service(store, &changes);
    hello_from_other(*discovery);  // found by its own request, not by a manual address
    ASSERT_TRUE(discovery->find_peer(id));
    EXPECT_EQ(discovery->find_peer(id)->last_connected_ms, 0);

    clock_.advance(5s);
    const auto before = changes;
    EXPECT_TRUE(discovery->record_connection(id));
    connected_at = clock_.unix_ms();
    EXPECT_EQ(discovery->find_peer(id)->last_connected_ms, connected_at);
    EXPECT_EQ(changes, before + 1);  // the tabs get the new peer list
    EXPECT_FALSE(discovery->record_connection("MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ"));
  }
  clock_.advance(1h);
  store::SqliteDatabase db(dir_.path() / "peerdrop.db");
  discovery::PeerStore store(db);
  auto again = make_service(store);
  const auto peer = again->find_peer(id);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->last_connected_ms, connected_at);
  EXPECT_FALSE(peer->online);
  EXPECT_TRUE(peer->has_source(PeerSource::persisted));
}

TEST_F(DiscoveryServiceTest, ForgettingAPeerForgetsItsHistory) {
  store::SqliteDatabase db(dir_.path() / "peerdrop.db");
  discovery::PeerStore store(db);
  auto discovery = make_service(store);
  hello_from_other(*discovery);
  discovery->record_connection(other_.peer_id());
  EXPECT_TRUE(discovery->forget_peer(other_.peer_id()));
  EXPECT_TRUE(store.load_peers().value().empty());
}

TEST_F(DiscoveryServiceTest, RemembersThatTheUserVerifiedAPeerAcrossARestart) {
  const auto id = other_.peer_id();
  const auto first_seen = clock_.unix_ms();
  {
    store::SqliteDatabase db(dir_.path() / "peerdrop.db");
    discovery::PeerStore store(db);
    int changes = 0;
    auto discovery = make_service(store, &changes);
    EXPECT_EQ(discovery->set_confirmed(id, true).code, "not_found");
    hello_from_other(*discovery);  // its channel proved its key
    const auto before = changes;
    const auto result = discovery->set_confirmed(id, true);
    ASSERT_TRUE(result.peer);
    EXPECT_TRUE(result.peer->confirmed);
    EXPECT_EQ(changes, before + 1);  // the tabs get the new peer list
    discovery->set_confirmed(id, true);
    EXPECT_EQ(changes, before + 1);  // nothing changed the second time
  }
  clock_.advance(24h);
  store::SqliteDatabase db(dir_.path() / "peerdrop.db");
  discovery::PeerStore store(db);
  auto again = make_service(store);
  const auto peer = again->find_peer(id);
  ASSERT_TRUE(peer);
  EXPECT_TRUE(peer->confirmed);
  EXPECT_EQ(peer->first_seen_ms, first_seen);
  EXPECT_FALSE(again->set_confirmed(id, false).peer->confirmed);
  EXPECT_FALSE(make_service(store)->find_peer(id)->confirmed);
}

TEST_F(DiscoveryServiceTest, ANewNameIsInTheNextHealthAnswerAndPacket) {
  store::SqliteDatabase db(dir_.path() / "peerdrop.db");
  discovery::PeerStore store(db);
  auto discovery = make_service(store);
  signer_.set_ports(3001, 3001);
  discovery->set_name("Alice's laptop");
  const auto health = discovery->health();
  EXPECT_EQ(health.name, "Alice's laptop");
  const auto packet = core::base64_decode(health.announcement_base64, Announcement::kMaxPacketSize);
  ASSERT_TRUE(packet);
  EXPECT_EQ(decode_announcement(*packet).value().name, "Alice's laptop");
}

TEST_F(DiscoveryServiceTest, OffersTheRelayInEveryPacketWhileItRuns) {
  store::SqliteDatabase db(dir_.path() / "peerdrop.db");
  discovery::PeerStore store(db);
  auto discovery = make_service(store);
  signer_.set_ports(3001, 3001);
  const auto flag_of_health = [&] {
    const auto packet = core::base64_decode(discovery->health().announcement_base64, Announcement::kMaxPacketSize);
    return decode_announcement(*packet).value().offers_relay();
  };
  EXPECT_FALSE(flag_of_health());
  discovery->set_relay_offered(true);
  EXPECT_TRUE(flag_of_health());
  EXPECT_TRUE(signer_.relay_offered());
  discovery->set_relay_offered(false);
  EXPECT_FALSE(flag_of_health());
}

TEST_F(DiscoveryServiceTest, APeersRelayOfferChangesThePeerListWithoutBeingStored) {
  store::SqliteDatabase db(dir_.path() / "peerdrop.db");
  discovery::PeerStore store(db);
  int changes = 0;
  auto discovery = make_service(store, &changes);
  hello_from_other(*discovery);
  EXPECT_FALSE(discovery->find_peer(other_.peer_id())->relay);
  const auto before = changes;
  other_signer_.set_relay_offered(true);
  hello_from_other(*discovery);
  EXPECT_TRUE(discovery->find_peer(other_.peer_id())->relay);
  EXPECT_EQ(changes, before + 1);
  EXPECT_FALSE(store.load_peers().value().front().relay);
}

}  // namespace
}  // namespace peerdrop::discovery
