// Fuzzes the discovery packet decoder (docs/protocol.md, "Discovery
// announcement") with arbitrary datagrams, and the peer table with every
// packet that decodes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "discovery/announcement.hpp"
#include "discovery/peer_table.hpp"
#include "core/big_endian.hpp"
#include "fuzz_check.hpp"
#include "fuzz_identity.hpp"
#include "identity/identity.hpp"
#include "identity/peer_id.hpp"
#include "support/fake_clock.hpp"

namespace {

using peerdrop::core::Errc;
using peerdrop::core::make_error_code;
using namespace peerdrop::discovery;
using namespace std::chrono_literals;

constexpr std::size_t kHeaderSize = 65;
constexpr std::size_t kSignatureSize = 64;

using peerdrop::core::get_big_endian;

using peerdrop::fuzz::fuzz_identity;

// A decoded packet says exactly what the documented layout says.
void check_layout(std::span<const std::uint8_t> packet, const Announcement& a) {
  PEERDROP_FUZZ_CHECK(packet.size() == kHeaderSize + a.name.size() + kSignatureSize);
  PEERDROP_FUZZ_CHECK(packet.size() <= Announcement::kMaxPacketSize);
  PEERDROP_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(packet.data()), 4) == "PDRP");
  PEERDROP_FUZZ_CHECK(packet[4] >= Announcement::kOldestVersion && packet[4] <= Announcement::kVersion &&
                      a.version == packet[4]);
  constexpr auto kLastKind = static_cast<std::uint8_t>(AnnouncementKind::nudge);
  PEERDROP_FUZZ_CHECK(packet[5] >= 1 && packet[5] <= kLastKind && static_cast<std::uint8_t>(a.kind) == packet[5]);
  PEERDROP_FUZZ_CHECK(a.flags == get_big_endian<std::uint16_t>(packet, 6));
  PEERDROP_FUZZ_CHECK(a.instance == get_big_endian<std::uint64_t>(packet, 8));
  PEERDROP_FUZZ_CHECK(a.timestamp_ms == get_big_endian<std::uint64_t>(packet, 16));
  PEERDROP_FUZZ_CHECK(a.counter == get_big_endian<std::uint32_t>(packet, 24));
  PEERDROP_FUZZ_CHECK(a.http_port == get_big_endian<std::uint16_t>(packet, 28) && a.http_port != 0);
  PEERDROP_FUZZ_CHECK(a.discovery_port == get_big_endian<std::uint16_t>(packet, 30) && a.discovery_port != 0);
  PEERDROP_FUZZ_CHECK(std::equal(a.public_key.begin(), a.public_key.end(), packet.begin() + 32));
  PEERDROP_FUZZ_CHECK(packet[64] == a.name.size());
  PEERDROP_FUZZ_CHECK(a.name == std::string_view(reinterpret_cast<const char*>(packet.data()) + 65, packet[64]));
  PEERDROP_FUZZ_CHECK(is_valid_name(a.name));
}

// We cannot re-sign with the sender's key, but signed with ours the packet
// must come out byte for byte the same outside the key and the signature.
void check_reencoding(std::span<const std::uint8_t> packet, Announcement a) {
  a.public_key = fuzz_identity().public_key();
  const auto encoded = encode_announcement(a, fuzz_identity());
  PEERDROP_FUZZ_CHECK(encoded.size() == packet.size());
  PEERDROP_FUZZ_CHECK(std::equal(packet.begin(), packet.begin() + 32, encoded.begin()));
  const auto signed_size = kHeaderSize + a.name.size();
  PEERDROP_FUZZ_CHECK(std::equal(packet.begin() + 64, packet.begin() + signed_size, encoded.begin() + 64));
  const auto decoded = decode_announcement(encoded);
  PEERDROP_FUZZ_CHECK(decoded && *decoded == a);
}

// What the peer table makes of a verified packet (docs/protocol.md, receiver steps 3-6).
void check_peer_table(const Announcement& a) {
  peerdrop::testing::FakeClock clock;
  const PeerTable::Limits limits{};
  const auto id = peerdrop::identity::derive_peer_id(a.public_key);
  const std::string ip = "198.51.100.2";
  const bool goodbye = a.kind == AnnouncementKind::goodbye;

  if (a.public_key != fuzz_identity().public_key()) {
    PeerTable table(clock, fuzz_identity().public_key(), 42, limits);
    const auto first = table.observe(a, ip, PeerSource::broadcast);
    PEERDROP_FUZZ_CHECK(!first.error && first.new_peer && first.changed);
    PEERDROP_FUZZ_CHECK(first.new_instance == (a.instance != 0));
    PEERDROP_FUZZ_CHECK(first.came_online == !goodbye && !first.went_offline);
    const auto peer = table.find(id);
    PEERDROP_FUZZ_CHECK(peer && peer->id == id && peer->public_key == a.public_key && peer->name == a.name);
    PEERDROP_FUZZ_CHECK(peer->online == !goodbye && peer->last_seen_ms == clock.unix_ms());
    // Heard of, not proven: its source address is a candidate until a handshake there proves the key.
    PEERDROP_FUZZ_CHECK(peer->addresses.empty() && !peer->verified && first.new_candidate);
    PEERDROP_FUZZ_CHECK(peer->candidates.size() == 1 && peer->candidates.front() == (PeerAddress{ip, a.http_port}));
    PEERDROP_FUZZ_CHECK(peer->outdated == (a.version < Announcement::kVersion));
    PEERDROP_FUZZ_CHECK(peer->discovery_port == a.discovery_port && peer->has_source(PeerSource::broadcast));

    // The same packet again (broadcast and multicast) is a duplicate; an older one a replay.
    PEERDROP_FUZZ_CHECK(table.observe(a, ip, PeerSource::broadcast).error == make_error_code(Errc::duplicate));
    if (a.counter > 0) {
      auto older = a;
      --older.counter;
      PEERDROP_FUZZ_CHECK(table.observe(older, ip, PeerSource::scan).error == make_error_code(Errc::replayed));
    }
    // Newer packets from more addresses than the table keeps: the newest candidate comes first, the list stays bounded.
    auto next = a;
    next.kind = AnnouncementKind::announce;
    for (std::uint32_t i = 0; i < limits.max_addresses + 2 && next.counter < std::numeric_limits<std::uint32_t>::max();
         ++i) {
      ++next.counter;
      const auto from = "203.0.113." + std::to_string(i + 1);
      const auto result = table.observe(next, from, PeerSource::inbound);
      PEERDROP_FUZZ_CHECK(!result.error && !result.new_peer && !result.new_instance);
      const auto now = table.find(id);
      PEERDROP_FUZZ_CHECK(now && now->online && now->candidates.front() == (PeerAddress{from, a.http_port}));
      PEERDROP_FUZZ_CHECK(now->candidates.size() <= limits.max_candidates && now->addresses.empty());
    }
    // Silence makes it offline exactly once; it is kept, not forgotten.
    clock.advance(limits.offline_after + 1ms);
    const auto gone = table.expire();
    const bool was_online = !goodbye || next.counter != a.counter;
    PEERDROP_FUZZ_CHECK(gone.size() == (was_online ? 1u : 0u));
    PEERDROP_FUZZ_CHECK(table.expire().empty() && table.find(id) && !table.find(id)->online);
    PEERDROP_FUZZ_CHECK(table.size() == 1 && table.online_count() == 0);
  }

  // Our own packet coming back, and our identity used by another daemon.
  PeerTable own(clock, a.public_key, a.instance, limits);
  PEERDROP_FUZZ_CHECK(own.observe(a, ip, PeerSource::broadcast).error == make_error_code(Errc::own_packet));
  PeerTable copy(clock, a.public_key, a.instance + 1, limits);
  PEERDROP_FUZZ_CHECK(copy.observe(a, ip, PeerSource::broadcast).error == make_error_code(Errc::duplicate_identity));
  PEERDROP_FUZZ_CHECK(own.size() == 0 && copy.size() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> packet(data, size);

  // Name handling on arbitrary bytes: sanitising always gives a valid name and keeps valid ones.
  const std::string_view text(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 256));
  const auto sanitized = sanitize_name(text);
  PEERDROP_FUZZ_CHECK(is_valid_name(sanitized));
  PEERDROP_FUZZ_CHECK(!is_valid_name(text) || sanitized == text);

  const auto decoded = decode_announcement(packet);
  const auto again = decode_announcement(packet);
  PEERDROP_FUZZ_CHECK(decoded.has_value() == again.has_value());
  if (!decoded) {
    PEERDROP_FUZZ_CHECK(decoded.error() == again.error());
    PEERDROP_FUZZ_CHECK(decoded.error().category() == peerdrop::core::category());
    if (size > Announcement::kMaxPacketSize) PEERDROP_FUZZ_CHECK(decoded.error() == make_error_code(Errc::too_large));
    return 0;
  }
  PEERDROP_FUZZ_CHECK(*decoded == *again);
  check_layout(packet, *decoded);
  check_reencoding(packet, *decoded);
  check_peer_table(*decoded);
  return 0;
}
