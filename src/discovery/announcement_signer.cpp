#include "discovery/announcement_signer.hpp"

#include <sodium.h>

namespace peerdrop::discovery {

AnnouncementSigner::AnnouncementSigner(const identity::Identity& identity, const core::Clock& clock,
                                       std::string name, std::uint16_t http_port)
    : identity_(identity), clock_(clock), name_(sanitize_name(name)), http_port_(http_port) {
  randombytes_buf(&instance_, sizeof instance_);
}

void AnnouncementSigner::set_ports(std::uint16_t http_port, std::uint16_t discovery_port) {
  http_port_ = http_port;
  discovery_port_ = discovery_port;
}

void AnnouncementSigner::set_name(std::string name) { name_ = sanitize_name(name); }

std::vector<std::uint8_t> AnnouncementSigner::make(AnnouncementKind kind) {
  Announcement a;
  a.kind = kind;
  a.flags = relay_offered_ ? Announcement::kFlagRelay : 0;
  a.instance = instance_;
  a.timestamp_ms = static_cast<std::uint64_t>(clock_.unix_ms());
  a.counter = ++counter_;
  a.http_port = http_port_;
  a.discovery_port = discovery_port_;
  a.public_key = identity_.public_key();
  a.name = name_;
  return encode_announcement(a, identity_);
}

}  // namespace peerdrop::discovery
