#include "http/control_token.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <cstdint>

#include "control/control_token_file.hpp"
#include "core/base32.hpp"
#include "core/fd_io.hpp"
#include "core/startup_error.hpp"

namespace peerdrop::http {
namespace {

constexpr std::size_t kTokenBytes = 32;

}  // namespace

ControlToken ControlToken::load_or_create(const std::filesystem::path& data_dir) {
  const auto path = data_dir / kFileName;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) ::chmod(path.c_str(), 0600);
    if (auto text = control::read_control_token(data_dir)) return ControlToken(std::move(*text));
  }
  std::array<std::uint8_t, kTokenBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw core::StartupError("cannot make the control token: the system's random source failed");
  }
  auto text = core::base32_encode(random);
  OPENSSL_cleanse(random.data(), random.size());
  const std::string line = text + "\n";
  if (const auto ec = core::write_private_file(path, std::as_bytes(std::span(line)))) {
    throw core::StartupError("cannot write the control token " + path.string() + ": " + ec.message());
  }
  return ControlToken(std::move(text));
}

bool ControlToken::matches(std::string_view candidate) const {
  return candidate.size() == value_.size() && CRYPTO_memcmp(candidate.data(), value_.data(), value_.size()) == 0;
}

bool ControlToken::presented_by(const Request& request) const {
  const auto authorization = request[boost::beast::http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";  // the scheme is case-insensitive (RFC 9110 11.1)
  if (authorization.size() > kBearer.size() && boost::beast::iequals(authorization.substr(0, kBearer.size()), kBearer) &&
      matches(authorization.substr(kBearer.size()))) {
    return true;
  }
  const auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return false;
  const auto params = url->params();
  const auto token = params.find("token");
  return token != params.end() && (*token).has_value && matches((*token).value);
}

}  // namespace peerdrop::http
