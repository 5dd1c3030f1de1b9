#include "control/control_endpoint.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <limits>
#include <optional>

#include "core/errc.hpp"
#include "core/json_fields.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::control {
namespace {

constexpr std::string_view kScheme = "http://";

// An address literal in its canonical form (so "127.1" or "0x7f.0.0.1" are refused), else nothing.
std::optional<boost::asio::ip::address> address_literal(std::string_view text) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec || address.to_string() != text) return std::nullopt;
  return address;
}

// "HOST:PORT" or "[V6]:PORT" of a url, into the endpoint; false if it is not exactly that.
bool parse_authority(std::string_view authority, ControlEndpoint& out) {
  std::string_view host;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == authority.npos || authority.substr(close + 1, 1) != ":") return false;
    host = authority.substr(1, close - 1);
    port = authority.substr(close + 2);
    const auto address = address_literal(host);
    if (!address || !address->is_v6()) return false;
  } else {
    const auto colon = authority.rfind(':');
    if (colon == authority.npos) return false;
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    const auto address = address_literal(host);
    if (!address || !address->is_v4()) return false;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || port.starts_with('0') || value < 1 || value > 65535) {
    return false;
  }
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::string ControlEndpoint::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ControlEndpoint::url() const { return std::string(kScheme) + authority(); }

ControlEndpoint endpoint_for(std::string_view bind, std::uint16_t port, std::int64_t pid, std::string id) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(bind), ec);
  std::string host = ec                         ? std::string(bind)
                     : !address.is_unspecified() ? address.to_string()
                     : address.is_v6()           ? "::1"
                                                 : "127.0.0.1";
  return ControlEndpoint{.host = std::move(host), .port = port, .pid = pid, .id = std::move(id)};
}

std::string serialize(const ControlEndpoint& endpoint) {
  return boost::json::serialize(
      boost::json::object{{"url", endpoint.url()}, {"pid", endpoint.pid}, {"id", endpoint.id}});
}

boost::system::result<ControlEndpoint> parse_control_endpoint(std::string_view text) {
  if (text.size() > kControlEndpointMaxBytes) return make_error_code(core::Errc::too_large);
  const auto value = core::parse_json(text, 4);
  if (!value || !value->is_object()) return make_error_code(core::Errc::malformed);
  const auto& object = value->get_object();
  const auto* url = core::string_field(object, "url");
  const auto pid = core::int_field(object, "pid");
  const auto* id = core::string_field(object, "id");
  if (!url || !pid || !id) return make_error_code(core::Errc::malformed);
  ControlEndpoint endpoint;
  const std::string_view url_text = *url;
  if (!url_text.starts_with(kScheme) || !parse_authority(url_text.substr(kScheme.size()), endpoint)) {
    return make_error_code(core::Errc::malformed);
  }
  if (*pid < 1 || *pid > std::numeric_limits<std::int32_t>::max()) return make_error_code(core::Errc::malformed);
  if (!identity::looks_like_peer_id(*id)) return make_error_code(core::Errc::malformed);
  endpoint.pid = *pid;
  endpoint.id = std::string(*id);
  return endpoint;
}

}  // namespace peerdrop::control
