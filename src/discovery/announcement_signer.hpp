#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "discovery/announcement.hpp"
#include "identity/identity.hpp"

namespace peerdrop::discovery {

// Makes this daemon's signed packets: one random instance id per start and a
// counter that rises with every packet, so receivers can spot replays.
class AnnouncementSigner {
 public:
  // `http_port`: where this daemon's HTTP API listens (the discovery port is set when its socket is bound).
  AnnouncementSigner(const identity::Identity& identity, const core::Clock& clock, std::string name,
                     std::uint16_t http_port = 0);

  std::vector<std::uint8_t> make(AnnouncementKind kind);
  void set_ports(std::uint16_t http_port, std::uint16_t discovery_port);
  void set_name(std::string name);
  // Whether this daemon's relay runs: the announcement flag Announcement::kFlagRelay.
  void set_relay_offered(bool offered) { relay_offered_ = offered; }
  bool relay_offered() const { return relay_offered_; }

  const identity::Identity& identity() const { return identity_; }
  std::uint64_t instance() const { return instance_; }
  const std::string& name() const { return name_; }
  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t discovery_port() const { return discovery_port_; }

 private:
  const identity::Identity& identity_;
  const core::Clock& clock_;
  std::string name_;
  std::uint64_t instance_;
  std::uint32_t counter_ = 0;
  std::uint16_t http_port_ = 0;
  std::uint16_t discovery_port_ = 0;
  bool relay_offered_ = false;
};

}  // namespace peerdrop::discovery
