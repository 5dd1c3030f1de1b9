#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace peerdrop::http {

// Decides whether a request comes from this machine's own UI. Control
// endpoints need all three: a local TCP peer, a Host header that names this
// daemon (defeats DNS rebinding) and, if present, an Origin of this daemon
// (defeats other pages in the same browser).
class LocalRequestPolicy {
 public:
  // `own_addresses`: all of this machine's addresses, as text ("198.51.100.2").
  explicit LocalRequestPolicy(std::uint16_t port, std::set<std::string> own_addresses = {})
      : port_(port), own_addresses_(std::move(own_addresses)) {}

  // After the machine's addresses changed.
  void set_own_addresses(std::set<std::string> addresses) { own_addresses_ = std::move(addresses); }

  bool is_local_client(const std::string& client_ip) const;
  // Nothing when allowed; otherwise the reason, for the 403 answer.
  std::optional<std::string> refuse_reason(const std::string& client_ip, std::string_view host,
                                           std::optional<std::string_view> origin) const;

 private:
  bool is_own_host(std::string_view host) const;
  bool is_own_authority(std::string_view authority, std::uint16_t default_port) const;

  std::uint16_t port_;
  std::set<std::string> own_addresses_;
};

}  // namespace peerdrop::http
