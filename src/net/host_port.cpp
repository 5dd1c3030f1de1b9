#include "net/host_port.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace peerdrop::net {
namespace {

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

}  // namespace

std::optional<HostPort> HostPort::parse(std::string_view text, std::uint16_t default_port) {
  if (text.empty() || text.size() > 255) return std::nullopt;
  HostPort out;
  std::string_view port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
    if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        })) {
      return std::nullopt;
    }
  } else {
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
      if (text.find(':', colon + 1) != std::string_view::npos) return std::nullopt;  // bare IPv6 needs []
      port_text = text.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
    out.host = std::string(text.substr(0, colon));
    if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), valid_host_char)) return std::nullopt;
  }
  if (port_text.empty()) {
    out.port = default_port;
  } else {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

std::string HostPort::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace peerdrop::net
