#include "http/local_request_policy.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

#include "net/host_port.hpp"

namespace peerdrop::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_loopback(const std::string& ip) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(ip, ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  return address.is_loopback();
}

}  // namespace

bool LocalRequestPolicy::is_local_client(const std::string& client_ip) const {
  return is_loopback(client_ip) || own_addresses_.count(client_ip) > 0;
}

bool LocalRequestPolicy::is_own_host(std::string_view host) const {
  const auto name = lower(host);
  return name == "localhost" || is_loopback(name) || own_addresses_.count(name) > 0;
}

bool LocalRequestPolicy::is_own_authority(std::string_view authority, std::uint16_t default_port) const {
  const auto hp = net::HostPort::parse(authority, default_port);
  return hp && hp->port == port_ && is_own_host(hp->host);
}

std::optional<std::string> LocalRequestPolicy::refuse_reason(const std::string& client_ip, std::string_view host,
                                                             std::optional<std::string_view> origin) const {
  if (!is_local_client(client_ip)) return "this endpoint answers only the PeerDrop UI on this machine";
  if (!is_own_authority(host, 80)) return "the Host header does not name this PeerDrop daemon";
  if (origin) {
    const auto url = boost::urls::parse_uri(*origin);
    if (!url || url->scheme() != "http" || !url->has_authority() || url->encoded_path().size() > 1 ||
        !is_own_authority(url->encoded_authority(), 80)) {
      return "requests from other web pages are not allowed";
    }
  }
  return std::nullopt;
}

}  // namespace peerdrop::http
