// Writes the generated seeds of the fuzz corpus:
//   <corpus>/announcement/seed-*  signed discovery packets of every kind, and hostile ones
//   <corpus>/health_body/seed-*   health answers around a signed reply packet
//   <corpus>/http_request/seed-*  requests for every endpoint, malformed and pipelined ones
//   <corpus>/settings_body/seed-* settings changes (PUT /api/settings bodies), valid and hostile
// Keys come from fixed seeds and Ed25519 signatures are deterministic, so a
// rerun writes the same bytes. Every packet and health body is checked against
// the decoder here (and every settings body against the parser), so a seed
// always tests what its name says.
//
//   ninja -C build make_fuzz_seeds && build/fuzz/make_fuzz_seeds fuzz/corpus
#include <sodium.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/big_endian.hpp"
#include "core/base64.hpp"
#include "core/errc.hpp"
#include "discovery/announcement.hpp"
#include "discovery/health_client.hpp"
#include "identity/identity.hpp"
#include "settings/settings_parser.hpp"

namespace {

namespace fs = std::filesystem;
using peerdrop::core::Errc;
using peerdrop::identity::Identity;
using Bytes = std::vector<std::uint8_t>;
using namespace std::string_literals;

// ---------------------------------------------------------------- output

fs::path g_corpus;
int g_written = 0;

void write_seed(std::string_view target, std::string_view name, std::string_view bytes) {
  const auto dir = g_corpus / target;
  fs::create_directories(dir);
  std::ofstream out(dir / ("seed-" + std::string(name)), std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "cannot write " << (dir / name).string() << "\n";
    std::exit(1);
  }
  ++g_written;
}

void write_seed(std::string_view target, std::string_view name, const Bytes& bytes) {
  write_seed(target, name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void fail(std::string_view seed, std::string_view why) {
  std::cerr << "seed " << seed << ": " << why << "\n";
  std::exit(1);
}

// ---------------------------------------------------------------- keys

// An identity from a fixed 32-byte seed, loaded the way the daemon loads its key file.
Identity fixed_identity(std::uint8_t fill) {
  std::array<std::uint8_t, 32> seed;
  seed.fill(fill);
  std::array<std::uint8_t, 32> pk{};
  std::array<std::uint8_t, 64> sk{};
  if (sodium_init() < 0) fail("keys", "libsodium failed to initialise");
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  std::string dir_template = (fs::temp_directory_path() / "peerdrop-seeds-XXXXXX").string();
  if (!::mkdtemp(dir_template.data())) fail("keys", "cannot create a temporary directory");
  const fs::path dir(dir_template);
  {
    std::ofstream out(dir / "identity.key", std::ios::binary);
    out.write(reinterpret_cast<const char*>(sk.data()), static_cast<std::streamsize>(sk.size()));
  }
  sodium_memzero(sk.data(), sk.size());
  auto identity = Identity::load_or_create(dir);
  fs::remove_all(dir);
  return identity;
}

// ---------------------------------------------------------------- packets

// Every field of a packet as it goes on the wire, so hostile packets can be
// built (and signed) field by field (docs/protocol.md, "Discovery announcement").
struct Fields {
  std::string magic = "PDRP";
  std::uint8_t version = 2;
  std::uint8_t kind = 1;
  std::uint16_t flags = 0;
  std::uint64_t instance = 0x0123456789abcdefull;
  std::uint64_t timestamp_ms = 1'764'000'000'000ull;
  std::uint32_t counter = 1;
  std::uint16_t http_port = 3001;
  std::uint16_t discovery_port = 3001;
  std::optional<peerdrop::identity::PublicKey> public_key;  // the signer's when unset
  std::string name = "alice-laptop";
  std::optional<std::uint8_t> name_length;  // name.size() when unset
};

using peerdrop::core::put_big_endian;

Bytes build(const Fields& f, const Identity& signer) {
  Bytes out(f.magic.begin(), f.magic.end());
  put_big_endian(out, f.version);
  put_big_endian(out, f.kind);
  put_big_endian(out, f.flags);
  put_big_endian(out, f.instance);
  put_big_endian(out, f.timestamp_ms);
  put_big_endian(out, f.counter);
  put_big_endian(out, f.http_port);
  put_big_endian(out, f.discovery_port);
  const auto key = f.public_key.value_or(signer.public_key());
  out.insert(out.end(), key.begin(), key.end());
  put_big_endian(out, f.name_length.value_or(static_cast<std::uint8_t>(f.name.size())));
  out.insert(out.end(), f.name.begin(), f.name.end());
  const auto signature = signer.sign(out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

// Writes a packet the decoder accepts.
void valid_packet(std::string_view name, const Bytes& packet) {
  const auto decoded = peerdrop::discovery::decode_announcement(packet);
  if (!decoded) fail(name, "expected a valid packet, got " + decoded.error().message());
  write_seed("announcement", name, packet);
}

// Writes a packet the decoder refuses with `expected`.
void hostile_packet(std::string_view name, const Bytes& packet, Errc expected) {
  const auto decoded = peerdrop::discovery::decode_announcement(packet);
  if (decoded) fail(name, "expected an error, the packet decodes");
  if (decoded.error() != peerdrop::core::make_error_code(expected)) {
    fail(name, "expected \"" + peerdrop::core::make_error_code(expected).message() + "\", got \"" +
                   decoded.error().message() + "\"");
  }
  write_seed("announcement", name, packet);
}

Bytes with_bit_flipped(Bytes packet, std::size_t index) {
  packet.at(index) ^= 0x01;
  return packet;
}

void announcement_seeds(const Identity& alice, const Identity& bob) {
  const Fields base;
  const char* kinds[] = {"announce", "reply", "goodbye", "probe", "nudge"};
  for (std::uint8_t kind = 1; kind <= 5; ++kind) {
    auto f = base;
    f.kind = kind;
    valid_packet(std::string("valid-") + kinds[kind - 1], build(f, alice));
  }
  auto f = base;
  f.name = "a";
  valid_packet("valid-name-1-byte", build(f, alice));
  f.name = std::string(64, 'n');
  valid_packet("valid-name-64-bytes", build(f, alice));
  f.name = "Zo\xc3\xab's Mac \xe2\x9c\x93 \xf0\x9f\x8d\x8e";  // ë, ✓, 🍎: 2-, 3- and 4-byte sequences
  valid_packet("valid-name-utf8", build(f, alice));
  f.name.clear();
  for (int i = 0; i < 16; ++i) f.name += "\xf0\x9f\x8d\x8e";
  valid_packet("valid-name-utf8-64-bytes", build(f, alice));
  f.name = "  spaced  ";
  valid_packet("valid-name-spaces", build(f, alice));
  // U+0085 (NEL) is a C1 control character and U+202E a bidi override: both refused.
  f.name = "nel\xc2\x85here";
  hostile_packet("name-c1-control", build(f, alice), Errc::malformed);
  f.name = "abc\xe2\x80\xae" "dcba";
  hostile_packet("name-bidi-override", build(f, alice), Errc::malformed);
  f = base;
  f.flags = 0xffff;
  f.instance = ~0ull;
  f.timestamp_ms = ~0ull;
  f.counter = ~0u;
  f.http_port = 65535;
  f.discovery_port = 65535;
  valid_packet("valid-max-fields", build(f, alice));
  f = base;
  f.flags = 0;
  f.instance = 0;
  f.timestamp_ms = 0;
  f.counter = 0;
  f.http_port = 1;
  f.discovery_port = 1;
  valid_packet("valid-min-fields", build(f, alice));
  f = base;
  f.name = "bob";
  f.kind = 2;
  f.counter = 7;
  valid_packet("valid-other-key", build(f, bob));

  // Hostile: size.
  const auto good = build(base, alice);
  hostile_packet("empty", {}, Errc::malformed);
  hostile_packet("truncated-header", Bytes(good.begin(), good.begin() + 64), Errc::malformed);
  hostile_packet("truncated-128-bytes", Bytes(good.begin(), good.begin() + 128), Errc::malformed);
  hostile_packet("truncated-one-byte", Bytes(good.begin(), good.end() - 1), Errc::malformed);
  hostile_packet("truncated-no-signature", Bytes(good.begin(), good.end() - 64), Errc::malformed);
  auto longer = good;
  longer.push_back(0);
  hostile_packet("trailing-byte", longer, Errc::malformed);
  auto oversized = good;
  oversized.resize(513, 0xaa);
  hostile_packet("oversized-513-bytes", oversized, Errc::too_large);
  auto at_limit = good;
  at_limit.resize(512, 0xaa);
  hostile_packet("size-512-bytes", at_limit, Errc::malformed);
  f = base;
  f.name = std::string(255, 'x');
  hostile_packet("name-length-255", build(f, alice), Errc::malformed);

  // Hostile: header fields (each packet is signed, so only that field is wrong).
  f = base;
  f.magic = "PDRQ";
  hostile_packet("wrong-magic", build(f, alice), Errc::malformed);
  f.magic = "pdrp";
  hostile_packet("wrong-magic-lowercase", build(f, alice), Errc::malformed);
  for (const std::uint8_t version : {0, 3, 255}) {
    f = base;
    f.version = version;
    hostile_packet("wrong-version-" + std::to_string(version), build(f, alice), Errc::unsupported_version);
  }
  for (const std::uint8_t kind : {0, 6, 255}) {
    f = base;
    f.kind = kind;
    hostile_packet("wrong-kind-" + std::to_string(kind), build(f, alice), Errc::malformed);
  }
  f = base;
  f.http_port = 0;
  hostile_packet("zero-http-port", build(f, alice), Errc::malformed);
  f = base;
  f.discovery_port = 0;
  hostile_packet("zero-discovery-port", build(f, alice), Errc::malformed);

  // Hostile: names.
  const std::pair<const char*, std::string> bad_names[] = {
      {"name-empty", ""},
      {"name-65-bytes", std::string(65, 'n')},
      {"name-utf8-overlong", "a\xc0\xaf"},
      {"name-utf8-lone-continuation", "a\x80z"},
      {"name-utf8-surrogate", "a\xed\xa0\x80z"},
      {"name-utf8-truncated", "ab\xe2\x82"},
      {"name-utf8-above-max", "a\xf4\x90\x80\x80"},
      {"name-utf8-f8", "a\xf8\x88\x80\x80\x80"},
      {"name-latin1", "caf\xe9"},
      {"name-newline", "line\nbreak"},
      {"name-nul", "nul\0here"s},
      {"name-del", "del\x7fhere"},
      {"name-escape", "\x1b[31mred"},
      {"name-tab", "tab\there"},
  };
  for (const auto& [seed, name] : bad_names) {
    f = base;
    f.name = name;
    hostile_packet(seed, build(f, alice), Errc::malformed);
  }
  f = base;
  f.name_length = 13;  // one more than the name: the length does not add up
  hostile_packet("name-length-mismatch", build(f, alice), Errc::malformed);

  // Hostile: signatures.
  hostile_packet("flipped-signature", with_bit_flipped(good, good.size() - 1), Errc::bad_signature);
  hostile_packet("flipped-signed-byte", with_bit_flipped(good, 27), Errc::bad_signature);  // the counter
  hostile_packet("flipped-key", with_bit_flipped(good, 40), Errc::bad_signature);
  f = base;
  f.public_key = alice.public_key();
  hostile_packet("signed-by-other-key", build(f, bob), Errc::bad_signature);
  auto zero_signature = good;
  std::fill(zero_signature.end() - 64, zero_signature.end(), 0);
  hostile_packet("zero-signature", zero_signature, Errc::bad_signature);
  auto zero_key = zero_signature;
  std::fill(zero_key.begin() + 32, zero_key.begin() + 64, 0);
  hostile_packet("zero-key-zero-signature", zero_key, Errc::bad_signature);
}

// ---------------------------------------------------------------- health bodies

std::string health_body(std::string_view id, std::string_view announcement) {
  return R"({"status":"ok","id":")" + std::string(id) + R"(","name":"alice","version":"0.1.0","port":3001,)" +
         R"("discoveryPort":3001,"announcement":")" + std::string(announcement) + R"("})";
}

void health(std::string_view name, const std::string& body, std::optional<Errc> expected) {
  const auto result = peerdrop::discovery::HealthClient::parse_health_body(body);
  if (!expected && !result) fail(name, "expected a valid body, got " + result.error().message());
  if (expected && result) fail(name, "expected an error, the body is accepted");
  if (expected && result.error() != peerdrop::core::make_error_code(*expected)) {
    fail(name, "expected \"" + peerdrop::core::make_error_code(*expected).message() + "\", got \"" +
                   result.error().message() + "\"");
  }
  write_seed("health_body", name, body);
}

void health_seeds(const Identity& alice, const Identity& bob) {
  using peerdrop::core::base64_encode;
  Fields reply;
  reply.kind = 2;
  const auto packet = base64_encode(build(reply, alice));
  const auto& id = alice.peer_id();

  health("valid", health_body(id, packet), std::nullopt);
  health("valid-minimal", R"({"status":"ok","id":")" + id + R"(","announcement":")" + packet + R"("})", std::nullopt);
  health("valid-reordered",
         R"({"announcement":")" + packet + R"(","extra":[1,{"x":null}],"id":")" + id + R"(","status":"ok"})",
         std::nullopt);
  health("valid-pretty",
         "{\n  \"status\": \"ok\",\n  \"id\": \"" + id + "\",\n  \"announcement\": \"" + packet + "\"\n}\n",
         std::nullopt);
  health("valid-unicode-escape", R"({"status":"\u006fk","id":")" + id + R"(","announcement":")" + packet + R"("})",
         std::nullopt);
  health("valid-duplicate-status",
         R"({"status":"error","status":"ok","id":")" + id + R"(","announcement":")" + packet + R"("})", std::nullopt);
  Fields probe;
  probe.kind = 4;
  health("valid-probe-packet", health_body(id, base64_encode(build(probe, alice))), std::nullopt);
  // Exactly at the 4096-byte limit, and one byte over it.
  auto padded = R"({"status":"ok","id":")" + id + R"(","announcement":")" + packet + R"(","name":")";
  const auto at_limit = padded + std::string(4096 - padded.size() - 2, 'n') + "\"}";
  health("valid-4096-bytes", at_limit, std::nullopt);
  health("too-large-4097-bytes", padded + std::string(4097 - padded.size() - 2, 'n') + "\"}", Errc::too_large);

  health("wrong-id", health_body(bob.peer_id(), packet), Errc::identity_mismatch);
  std::string lower_id = id;
  for (auto& c : lower_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  health("wrong-id-lowercase", health_body(lower_id, packet), Errc::identity_mismatch);
  health("wrong-id-empty", health_body("", packet), Errc::identity_mismatch);
  health("id-not-string", R"({"status":"ok","id":5,"announcement":")" + packet + R"("})", Errc::not_peerdrop);
  health("id-missing", R"({"status":"ok","announcement":")" + packet + R"("})", Errc::not_peerdrop);
  health("status-error", R"({"status":"error","id":")" + id + R"(","announcement":")" + packet + R"("})",
         Errc::not_peerdrop);
  health("status-missing", R"({"id":")" + id + R"(","announcement":")" + packet + R"("})", Errc::not_peerdrop);
  health("status-not-string", R"({"status":true,"id":")" + id + R"(","announcement":")" + packet + R"("})",
         Errc::not_peerdrop);
  health("announcement-missing", R"({"status":"ok","id":")" + id + R"("})", Errc::not_peerdrop);
  health("announcement-not-string", R"({"status":"ok","id":")" + id + R"(","announcement":["x"]})", Errc::not_peerdrop);
  health("announcement-empty", health_body(id, ""), Errc::malformed);
  health("announcement-not-base64", health_body(id, "!!not base64!!"), Errc::malformed);
  health("announcement-base64url", health_body(id, "-_-_"), Errc::malformed);
  health("announcement-too-long", health_body(id, base64_encode(Bytes(600, 0x41))), Errc::malformed);
  Bytes flipped = build(reply, alice);
  flipped.back() ^= 1;
  health("announcement-bad-signature", health_body(id, base64_encode(flipped)), Errc::bad_signature);
  Bytes truncated = build(reply, alice);
  truncated.resize(100);
  health("announcement-truncated", health_body(id, base64_encode(truncated)), Errc::malformed);
  Fields v2 = reply;
  v2.version = 3;
  health("announcement-version-3", health_body(id, base64_encode(build(v2, alice))), Errc::unsupported_version);
  Fields hostile = reply;
  hostile.kind = 9;
  health("announcement-wrong-kind", health_body(id, base64_encode(build(hostile, alice))), Errc::malformed);
  hostile = reply;
  hostile.http_port = 0;
  health("announcement-zero-port", health_body(id, base64_encode(build(hostile, alice))), Errc::malformed);
  hostile = reply;
  hostile.name = "Zo\xc3\xab \xe2\x9c\x93 \xf0\x9f\x8d\x8e";
  health("announcement-utf8-name", health_body(id, base64_encode(build(hostile, alice))), std::nullopt);
  hostile.name = "a\xed\xa0\x80z";  // a UTF-16 surrogate
  health("announcement-surrogate-name", health_body(id, base64_encode(build(hostile, alice))), Errc::malformed);
  hostile.name = "a\xf0\x8f\xbf\xbf";  // overlong 4-byte sequence
  health("announcement-overlong-name", health_body(id, base64_encode(build(hostile, alice))), Errc::malformed);
  health("announcement-data-after-padding", health_body(id, packet + "AAAA"), Errc::malformed);

  health("empty", "", Errc::not_peerdrop);
  health("not-object-array", "[]", Errc::not_peerdrop);
  health("not-object-string", R"("ok")", Errc::not_peerdrop);
  health("not-object-null", "null", Errc::not_peerdrop);
  health("invalid-unterminated", R"({"status":"ok")", Errc::not_peerdrop);
  health("invalid-trailing-comma", R"({"status":"ok",})", Errc::not_peerdrop);
  health("invalid-trailing-garbage", health_body(id, packet) + "x", Errc::not_peerdrop);
  health("invalid-comment", "/* hi */" + health_body(id, packet), Errc::not_peerdrop);
  health("invalid-bom", "\xef\xbb\xbf" + health_body(id, packet), Errc::not_peerdrop);
  health("invalid-utf8-in-string",
         R"({"status":"ok","name":")"
         "\xff\xfe"
         R"("})",
         Errc::not_peerdrop);
  health("nul-escape", R"({"status":"ok\u0000","id":")" + id + R"(","announcement":")" + packet + R"("})",
         Errc::not_peerdrop);
  health("depth-4", R"({"status":"ok","x":{"y":{"z":[1]}},"id":")" + id + R"(","announcement":")" + packet + R"("})",
         std::nullopt);
  health("depth-5", R"({"status":"ok","x":{"y":{"z":[[1]]}},"id":")" + id + R"(","announcement":")" + packet + R"("})",
         Errc::not_peerdrop);
  health("depth-1000", "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}", Errc::not_peerdrop);
  health("huge-string", R"({"status":")" + std::string(4000, 'o') + R"("})", Errc::not_peerdrop);
  health("huge-number", R"({"status":"ok","port":1)" + std::string(400, '0') + "}", Errc::not_peerdrop);
}

// ---------------------------------------------------------------- HTTP requests

// The first byte says who sends and how (http_request_fuzzer.cpp):
// '0' local, '1' remote, '2'/'3' the same in 13-byte reads, '\x02'/'\x03' byte by byte.
void request(std::string_view name, char client, std::string_view bytes) {
  write_seed("http_request", name, std::string(1, client) + std::string(bytes));
}

// The fuzzer's control token (http_request_fuzzer.cpp): the local UI's requests carry it.
const std::string kToken = "FUZZTOKENFUZZTOKENFUZZTOKENFUZZTOKENFUZZTOKENFUZZTOK";
const std::string kAuthorization = "Authorization: Bearer " + kToken + "\r\n";

std::string post(std::string_view target, std::string_view body, std::string_view extra = "") {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: localhost:3001\r\n" + kAuthorization + std::string(extra) +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

void http_seeds(const Identity& bob) {
  const std::string host = "Host: localhost:3001\r\n" + kAuthorization;
  auto get = [&](std::string_view target, std::string_view extra = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\n" + host + std::string(extra) + "\r\n";
  };
  Fields hello;
  hello.kind = 4;
  hello.name = "bob";
  const auto hello_packet = build(hello, bob);
  const auto valid_hello = "X-PeerDrop-Hello: " + peerdrop::core::base64_encode(hello_packet) + "\r\n";
  auto bad = hello_packet;
  bad.back() ^= 1;
  const auto bad_hello = "X-PeerDrop-Hello: " + peerdrop::core::base64_encode(bad) + "\r\n";
  const std::string known = "KNOWNPEERKNOWNPEERKNOWNPEERKNOWNPEERKNOWNPEERKNOWNPE";

  // Open endpoint.
  request("health", '0', get("/api/health"));
  request("health-no-host", '0', "GET /api/health HTTP/1.1\r\n\r\n");
  request("health-hello", '0', get("/api/health", valid_hello));
  request("health-hello-bad-signature", '0', get("/api/health", bad_hello));
  request("health-hello-garbage", '0', get("/api/health", "X-PeerDrop-Hello: !!not base64!!\r\n"));
  request("health-hello-empty", '0', get("/api/health", "X-PeerDrop-Hello:\r\n"));
  request("health-hello-too-long", '0', get("/api/health", "X-PeerDrop-Hello: " + std::string(700, 'A') + "\r\n"));
  request("health-hello-twice", '0', get("/api/health", valid_hello + "X-PeerDrop-Hello: AAAA\r\n"));
  auto hello_with = [&](auto change) {
    Fields f = hello;
    change(f);
    return "X-PeerDrop-Hello: " + peerdrop::core::base64_encode(build(f, bob)) + "\r\n";
  };
  request("health-hello-announce-kind", '1', get("/api/health", hello_with([](Fields& f) { f.kind = 1; })));
  request("health-hello-utf8-name", '1',
          get("/api/health", hello_with([](Fields& f) { f.name = "b\xc3\xb6" "b \xe2\x9c\x93 \xf0\x9f\x8d\x8e"; })));
  request("health-hello-bad-utf8-name", '1',
          get("/api/health", hello_with([](Fields& f) { f.name = "b\xf0\x9f\x8d"; })));
  request("health-hello-surrogate-name", '1',
          get("/api/health", hello_with([](Fields& f) { f.name = "b\xed\xb0\x80"; })));
  request("health-hello-control-name", '1', get("/api/health", hello_with([](Fields& f) { f.name = "b\x1b[2J"; })));
  request("health-hello-wrong-version", '1', get("/api/health", hello_with([](Fields& f) { f.version = 3; })));
  request("health-hello-wrong-kind", '1', get("/api/health", hello_with([](Fields& f) { f.kind = 0; })));
  request("health-hello-zero-port", '1', get("/api/health", hello_with([](Fields& f) { f.discovery_port = 0; })));
  request("health-hello-wrong-magic", '1', get("/api/health", hello_with([](Fields& f) { f.magic = "PDSG"; })));
  request("health-hello-name-length", '1', get("/api/health", hello_with([](Fields& f) { f.name_length = 2; })));
  request("health-hello-unpadded", '1', get("/api/health", "X-PeerDrop-Hello: QUJD\r\n"));
  request("health-hello-trailing-data", '1',
          get("/api/health", "X-PeerDrop-Hello: " + peerdrop::core::base64_encode(hello_packet) + "QUJD\r\n"));
  request("health-post", '0', post("/api/health", "{}"));
  request("health-head", '0', "HEAD /api/health HTTP/1.1\r\n" + host + "\r\n");
  request("health-trailing-slash", '0', get("/api/health/"));
  request("remote-health", '1', get("/api/health"));
  request("remote-health-hello", '1', get("/api/health", valid_hello));
  request("remote-health-hello-sliced", '3', get("/api/health", valid_hello));

  // Control endpoints: the token (another user or program of this machine has none).
  request("peers", '0', get("/api/peers"));
  const std::string bare = "Host: localhost:3001\r\n";
  request("peers-no-token", '0', "GET /api/peers HTTP/1.1\r\n" + bare + "\r\n");
  request("peers-wrong-token", '0',
          "GET /api/peers HTTP/1.1\r\n" + bare + "Authorization: Bearer " + std::string(52, 'A') + "\r\n\r\n");
  request("peers-token-lowercase-scheme", '0',
          "GET /api/peers HTTP/1.1\r\n" + bare + "Authorization: bearer " + kToken + "\r\n\r\n");
  request("peers-token-basic", '0', "GET /api/peers HTTP/1.1\r\n" + bare + "Authorization: Basic " + kToken + "\r\n\r\n");
  request("peers-token-query", '0', "GET /api/peers?token=" + kToken + " HTTP/1.1\r\n" + bare + "\r\n");
  request("peers-token-query-twice", '0',
          "GET /api/peers?token=x&token=" + kToken + " HTTP/1.1\r\n" + bare + "\r\n");
  request("settings-put-no-token", '0',
          "PUT /api/settings HTTP/1.1\r\n" + bare + "Content-Length: 17\r\n\r\n{\"name\":\"evil\"}");
  request("download-token-query", '0',
          "GET /api/files/download?name=photos%2Fa.jpg&token=" + kToken + " HTTP/1.1\r\n" + bare + "\r\n");
  request("download-no-token", '0', "GET /api/files/download?name=photos%2Fa.jpg HTTP/1.1\r\n" + bare + "\r\n");
  request("remote-peers-token", '1', get("/api/peers"));

  // Control endpoints: Host and Origin.
  request("peers-no-host", '0', "GET /api/peers HTTP/1.1\r\n\r\n");
  request("peers-host-ipv4", '0', "GET /api/peers HTTP/1.1\r\nHost: 127.0.0.1:3001\r\n\r\n");
  request("peers-host-ipv6", '0', "GET /api/peers HTTP/1.1\r\nHost: [::1]:3001\r\n\r\n");
  request("peers-host-own-address", '0', "GET /api/peers HTTP/1.1\r\nHost: 198.51.100.2:3001\r\n\r\n");
  request("peers-host-uppercase", '0', "GET /api/peers HTTP/1.1\r\nHost: LOCALHOST:3001\r\n\r\n");
  request("peers-host-wrong-port", '0', "GET /api/peers HTTP/1.1\r\nHost: localhost:3002\r\n\r\n");
  request("peers-host-no-port", '0', "GET /api/peers HTTP/1.1\r\nHost: localhost\r\n\r\n");
  request("peers-host-foreign", '0', "GET /api/peers HTTP/1.1\r\nHost: rebind.example:3001\r\n\r\n");
  request("peers-host-twice", '0', "GET /api/peers HTTP/1.1\r\nHost: localhost:3001\r\nHost: evil:1\r\n\r\n");
  request("peers-origin-own", '0', get("/api/peers", "Origin: http://localhost:3001\r\n"));
  request("peers-origin-foreign", '0', get("/api/peers", "Origin: http://evil.example\r\n"));
  request("peers-origin-null", '0', get("/api/peers", "Origin: null\r\n"));
  request("peers-origin-https", '0', get("/api/peers", "Origin: https://localhost:3001\r\n"));
  request("peers-origin-path", '0', get("/api/peers", "Origin: http://localhost:3001/x\r\n"));
  request("peers-origin-userinfo", '0', get("/api/peers", "Origin: http://user@localhost:3001\r\n"));
  request("peers-query", '0', get("/api/peers?all=1&x=%20"));
  request("peers-percent-encoded", '0', get("/api/%70eers"));
  request("peers-put", '0', "PUT /api/peers HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n");
  const std::pair<const char*, const char*> hosts[] = {{"ipv6-no-port", "[::1]"},
                                                       {"ipv6-empty-port", "[::1]:"},
                                                       {"ipv6-junk", "[::1]x"},
                                                       {"ipv6-unclosed", "[::1:3001"},
                                                       {"ipv6-empty", "[]:3001"},
                                                       {"ipv6-not-hex", "[zz]:3001"},
                                                       {"ipv4-mapped", "[::ffff:127.0.0.1]:3001"},
                                                       {"port-zero", "localhost:0"},
                                                       {"port-too-big", "localhost:65536"},
                                                       {"port-junk", "localhost:3001x"},
                                                       {"port-plus", "localhost:+3001"},
                                                       {"port-leading-zero", "localhost:03001"},
                                                       {"empty-host", ":3001"},
                                                       {"underscore", "local_host:3001"},
                                                       {"two-colons", "a:b:3001"},
                                                       {"empty", ""},
                                                       {"trailing-dot", "localhost.:3001"}};
  for (const auto& [seed, value] : hosts) {
    request(std::string("peers-host-") + seed, '0',
            "GET /api/peers HTTP/1.1\r\nHost: " + std::string(value) + "\r\n\r\n");
  }
  const std::pair<const char*, const char*> origins[] = {{"ipv6", "http://[::1]:3001"},
                                                         {"no-port", "http://localhost"},
                                                         {"query", "http://localhost:3001?x=1"},
                                                         {"fragment", "http://localhost:3001#x"},
                                                         {"slash", "http://localhost:3001/"},
                                                         {"no-authority", "http:localhost:3001"},
                                                         {"file", "file://"}};
  for (const auto& [seed, value] : origins) {
    request(std::string("peers-origin-") + seed, '0', get("/api/peers", "Origin: " + std::string(value) + "\r\n"));
  }
  request("remote-peers", '1', get("/api/peers"));
  request("remote-peers-origin", '1', get("/api/peers", "Origin: http://localhost:3001\r\n"));

  // POST /api/peers bodies.
  request("add-peer", '0', post("/api/peers", R"({"address":"198.51.100.7:3001"})"));
  request("add-peer-unreachable", '0', post("/api/peers", R"({"address":"198.51.100.8"})"));
  request("add-peer-bad-json", '0', post("/api/peers", R"({address:)"));
  request("add-peer-array", '0', post("/api/peers", R"(["198.51.100.7"])"));
  request("add-peer-number", '0', post("/api/peers", R"({"address":7})"));
  request("add-peer-empty-body", '0', post("/api/peers", ""));
  request("add-peer-deep-json", '0', post("/api/peers", R"({"address":"x","a":[[[[[[[[[[1]]]]]]]]]]})"));
  request("add-peer-chunked", '0',
          "POST /api/peers HTTP/1.1\r\n" + host +
              "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"address\":\"198.\r\nf\r\n51.100.7:3001\"}\r\n0\r\n\r\n");
  request("add-peer-chunked-sliced", '2',
          "POST /api/peers HTTP/1.1\r\n" + host +
              "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"address\":\"198.\r\nf\r\n51.100.7:3001\"}\r\n0\r\n\r\n");
  request("add-peer-chunked-trailer", '0',
          "POST /api/peers HTTP/1.1\r\n" + host +
              "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: yes\r\n\r\n");
  request(
      "add-peer-chunked-extension", '0',
      "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2;name=\"value\"\r\n{}\r\n0\r\n\r\n");
  request("remote-add-peer", '1', post("/api/peers", R"({"address":"198.51.100.7:3001"})"));

  // DELETE /api/peers/{id}.
  request("forget-known", '0', "DELETE /api/peers/" + known + " HTTP/1.1\r\n" + host + "\r\n");
  request("forget-unknown", '0', "DELETE /api/peers/" + std::string(52, 'A') + " HTTP/1.1\r\n" + host + "\r\n");
  request("forget-not-an-id", '0', "DELETE /api/peers/nope HTTP/1.1\r\n" + host + "\r\n");
  request("forget-percent-encoded", '0', "DELETE /api/peers/%4B" + known.substr(1) + " HTTP/1.1\r\n" + host + "\r\n");
  request("forget-nul", '0', "DELETE /api/peers/%00 HTTP/1.1\r\n" + host + "\r\n");
  std::string lowercase = known;
  for (auto& c : lowercase) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::pair<const char*, std::string> ids[] = {{"lowercase", lowercase},
                                                     {"digits-not-base32", std::string(26, '1') + std::string(26, '8')},
                                                     {"base32-digits", std::string(52, '7')},
                                                     {"51-chars", known.substr(1)},
                                                     {"53-chars", known + "A"},
                                                     {"with-slash", known.substr(1) + "/"}};
  for (const auto& [seed, id] : ids) {
    request(std::string("forget-") + seed, '0', "DELETE /api/peers/" + id + " HTTP/1.1\r\n" + host + "\r\n");
  }
  request("peer-get", '0', get("/api/peers/" + known));
  request("remote-forget-known", '1', "DELETE /api/peers/" + known + " HTTP/1.1\r\n" + host + "\r\n");

  // PUT /api/peers/{id}: the user marks a peer verified (or takes it back).
  const std::string unproven = "UNPROVENPEERUNPROVENPEERUNPROVENPEERUNPROVENPEERUNPR";
  auto confirm = [&](const std::string& id, std::string_view body, std::string_view head = "") {
    return "PUT /api/peers/" + id + " HTTP/1.1\r\n" + (head.empty() ? host : std::string(head)) +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
  };
  request("confirm-known", '0', confirm(known, R"({"confirmed":true})"));
  request("confirm-known-clear", '0', confirm(known, R"({"confirmed":false})"));
  request("confirm-then-list", '0', confirm(known, R"({"confirmed":true})") + get("/api/peers"));
  request("confirm-unproven", '0', confirm(unproven, R"({"confirmed":true})"));
  request("confirm-unproven-clear", '0', confirm(unproven, R"({"confirmed":false})"));
  request("confirm-unknown", '0', confirm(std::string(52, 'A'), R"({"confirmed":true})"));
  request("confirm-not-an-id", '0', confirm("..%2F..%2Fetc", R"({"confirmed":true})"));
  request("confirm-lowercase-id", '0', confirm(lowercase, R"({"confirmed":true})"));
  const std::pair<const char*, const char*> confirm_bodies[] = {{"string", R"({"confirmed":"true"})"},
                                                                {"number", R"({"confirmed":1})"},
                                                                {"null", R"({"confirmed":null})"},
                                                                {"extra-field", R"({"confirmed":true,"name":"x"})"},
                                                                {"twice", R"({"confirmed":false,"confirmed":true})"},
                                                                {"empty-object", "{}"},
                                                                {"array", "[true]"},
                                                                {"bare-true", "true"},
                                                                {"empty", ""},
                                                                {"deep", R"({"confirmed":[[[[[[[[true]]]]]]]]})"},
                                                                {"truncated", R"({"confirmed":tr)"}};
  for (const auto& [seed, body] : confirm_bodies) {
    request(std::string("confirm-body-") + seed, '0', confirm(known, body));
  }
  request("confirm-sliced", '2', confirm(known, R"({"confirmed":true})"));
  request("confirm-no-token", '0', confirm(known, R"({"confirmed":true})", bare));
  request("remote-confirm-known", '1', confirm(known, R"({"confirmed":true})"));

  // Scan and unknown API paths.
  request("scan-get", '0', get("/api/scan"));
  request("scan-post", '0', "POST /api/scan HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n");
  request("scan-delete", '0', "DELETE /api/scan HTTP/1.1\r\n" + host + "\r\n");
  request("remote-scan-post", '1', "POST /api/scan HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n");
  // Settings.
  auto put = [&](std::string_view target, std::string_view body, std::string_view extra = "") {
    return "PUT " + std::string(target) + " HTTP/1.1\r\n" + host + std::string(extra) +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
  };
  const std::string settings_change = R"({"name":"Alice's laptop","iceServers":[{"urls":["turn:198.51.100.9:3478"],)"
                                      R"("username":"u","credential":"c"}],"connectTimeoutMs":45000})";
  request("settings-get", '0', get("/api/settings"));
  request("settings-put", '0', put("/api/settings", settings_change));
  request("settings-put-then-get", '0', put("/api/settings", R"({"name":"renamed"})") + get("/api/settings"));
  request("settings-put-bad-field", '0', put("/api/settings", R"({"connectTimeoutMs":1})"));
  request("settings-put-unknown-field", '0', put("/api/settings", R"({"theme":"dark"})"));
  request("settings-put-not-json", '0', put("/api/settings", "name=Alice"));
  request("settings-put-chunked", '0',
          "PUT /api/settings HTTP/1.1\r\n" + host +
              "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"name\":\"chunk\"}\r\n0\r\n\r\n");
  request("settings-put-origin-own", '0', put("/api/settings", settings_change, "Origin: http://localhost:3001\r\n"));
  request("settings-put-origin-foreign", '0',
          put("/api/settings", settings_change, "Origin: http://evil.example\r\n"));
  request("settings-post", '0', post("/api/settings", "{}"));
  request("remote-settings-get", '1', get("/api/settings"));
  request("remote-settings-put", '1', put("/api/settings", settings_change));
  request("remote-settings-put-sliced", '3', put("/api/settings", settings_change));
  request("settings-put-download-dir", '0', put("/api/settings", R"({"downloadDir":"/tmp"})"));
  request("settings-put-auto-accept", '0', put("/api/settings", R"({"autoAccept":[")" + known + R"("]})"));
  // Received files: the list and downloads (the fuzz daemon's library holds photos/a.jpg).
  request("files-get", '0', get("/api/files"));
  request("files-post", '0', post("/api/files", "{}"));
  request("download", '0', get("/api/files/download?name=photos/a.jpg"));
  request("download-encoded", '0', get("/api/files/download?name=photos%2Fa.jpg"));
  request("download-head", '0', "HEAD /api/files/download?name=photos/a.jpg HTTP/1.1\r\n" + host + "\r\n");
  request("download-then-get", '0', get("/api/files/download?name=photos/a.jpg") + get("/api/files"));
  request("download-missing", '0', get("/api/files/download?name=photos/b.jpg"));
  request("download-no-name", '0', get("/api/files/download"));
  request("download-traversal", '0', get("/api/files/download?name=../../etc/passwd"));
  request("download-absolute", '0', get("/api/files/download?name=%2Fetc%2Fpasswd"));
  request("download-partial-folder", '0', get("/api/files/download?name=.peerdrop-partial/x-0.part"));
  request("download-backslash", '0', get("/api/files/download?name=photos%5Ca.jpg"));
  request("download-nul", '0', get("/api/files/download?name=photos/a.jpg%00.txt"));
  request("remote-files-get", '1', get("/api/files"));
  request("remote-download", '1', get("/api/files/download?name=photos/a.jpg"));
  request("api-unknown", '0', get("/api/nope"));
  request("api-dot-segments", '0', get("/api/health/../peers"));
  request("api-bare", '0', get("/api"));

  // Static files.
  request("static-root", '0', get("/"));
  request("static-index", '0', get("/index.html"));
  request("static-head", '0', "HEAD / HTTP/1.1\r\n" + host + "\r\n");
  request("static-app-js", '0', get("/app.js"));
  request("static-style-css", '0', get("/style.css"));
  request("static-missing", '0', get("/missing.png"));
  request("static-client-route", '0', get("/peers/abc"));
  request("static-post", '0', post("/", "{}"));
  request("static-query", '0', get("/?q=1&r=%2F"));
  request("target-fragment", '0', get("/?q=1#frag"));
  request("remote-static-root", '1', get("/"));
  request("target-asterisk", '0', "OPTIONS * HTTP/1.1\r\n" + host + "\r\n");
  request("target-authority", '0', "CONNECT localhost:3001 HTTP/1.1\r\n" + host + "\r\n");
  request("target-absolute", '0', "GET http://localhost:3001/api/peers HTTP/1.1\r\n" + host + "\r\n");
  request("target-bad-percent", '0', get("/api/peers%zz"));

  // Daemon-to-daemon signaling (open) and the UI's WebSocket (local only).
  const auto signal_body = R"({"envelopes":[]})";
  request("signal", '0', post("/api/signal", signal_body));
  request("remote-signal", '1', post("/api/signal", signal_body));
  request("remote-signal-sliced", '3', post("/api/signal", signal_body));
  request("signal-get", '1', get("/api/signal"));
  request("signal-query", '1', post("/api/signal?since=1", signal_body));
  request("signal-percent-encoded", '1', post("/api/%73ignal", signal_body));
  request("signal-chunked", '1',
          "POST /api/signal HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  request("signal-content-length-100k", '1',
          "POST /api/signal HTTP/1.1\r\n" + host + "Content-Length: 100000\r\n\r\n{\"envelopes\":[");
  request("signal-content-length-over-1m", '1',
          "POST /api/signal HTTP/1.1\r\n" + host + "Content-Length: 1048577\r\n\r\n{");
  const std::string upgrade =
      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  request("ws", '0', get("/ws", upgrade + "Origin: http://localhost:3001\r\n"));
  request("ws-no-origin", '0', get("/ws", upgrade));
  request("ws-sliced", '2', get("/ws", upgrade + "Origin: http://127.0.0.1:3001\r\n"));
  request("ws-foreign-origin", '0', get("/ws", upgrade + "Origin: http://evil.example\r\n"));
  request("ws-foreign-host", '0', "GET /ws HTTP/1.1\r\nHost: evil.example:3001\r\n" + upgrade + "\r\n");
  request("ws-wrong-path", '0', get("/ws/x", upgrade));
  request("ws-query", '0', get("/ws?token=1", upgrade));
  request("ws-token-query", '0',
          "GET /ws?token=" + kToken + " HTTP/1.1\r\n" + bare + upgrade + "Origin: http://localhost:3001\r\n\r\n");
  request("ws-no-token", '0', "GET /ws HTTP/1.1\r\n" + bare + upgrade + "Origin: http://localhost:3001\r\n\r\n");
  request("ws-connection-list", '0',
          get("/ws", "Connection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\nSec-WebSocket-Version: 13\r\n"));
  request("ws-http10", '0', "GET /ws HTTP/1.0\r\n" + host + upgrade + "\r\n");
  request("ws-post", '0', "POST /ws HTTP/1.1\r\n" + host + upgrade + "Content-Length: 0\r\n\r\n");
  request("ws-not-upgrade", '0', get("/ws"));
  request("ws-then-request", '0', get("/ws", upgrade) + get("/api/health"));
  request("remote-ws", '1', get("/ws", upgrade + "Origin: http://localhost:3001\r\n"));

  // Connections: pipelining, keep-alive, HTTP/1.0, rate limit.
  request("pipelined", '0',
          get("/api/health") + get("/api/peers") + post("/api/peers", R"({"address":"x"})") + get("/"));
  request("pipelined-byte-by-byte", '\x02', get("/api/health") + post("/api/peers", R"({"address":"x"})") + get("/"));
  request("pipelined-close", '0', get("/", "Connection: close\r\n") + get("/api/health"));
  request("http10", '0', "GET / HTTP/1.0\r\n\r\nGET /api/health HTTP/1.0\r\n\r\n");
  request("http10-keep-alive", '0', "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /api/health HTTP/1.0\r\n\r\n");
  std::string flood;
  for (int i = 0; i < 62; ++i) flood += "GET /api/health HTTP/1.1\r\n\r\n";
  request("remote-rate-limited", '1', flood);
  request("remote-pipelined-byte-by-byte", '\x03', get("/api/health") + get("/api/peers"));
  request("upgrade-websocket", '0',
          get("/",
              "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
  request("expect-continue", '0', post("/api/peers", R"({"address":"x"})", "Expect: 100-continue\r\n"));

  // Malformed requests.
  request("empty", '0', "");
  request("only-crlf", '0', "\r\n\r\n");
  request("line-no-target", '0', "GET\r\n\r\n");
  request("line-http2", '0', "GET / HTTP/2.0\r\n\r\n");
  request("line-junk-after-version", '0', "GET / HTTP/1.1 junk\r\n\r\n");
  request("line-lowercase-method", '0', "get / HTTP/1.1\r\n\r\n");
  request("line-unknown-method", '0', "BREW /pot HTTP/1.1\r\n" + host + "\r\n");
  request("line-space-in-target", '0', "GET /a b HTTP/1.1\r\n\r\n");
  request("line-control-in-target", '0', "GET /\x01 HTTP/1.1\r\n\r\n");
  request("line-lf-only", '0', "GET / HTTP/1.1\nHost: localhost:3001\n\n");
  request("header-no-colon", '0', "GET / HTTP/1.1\r\nHost localhost\r\n\r\n");
  request("header-space-before-colon", '0', "GET / HTTP/1.1\r\nHost : localhost:3001\r\n\r\n");
  request("header-obs-fold", '0', "GET / HTTP/1.1\r\n" + host + "X-A: a\r\n b\r\n\r\n");
  request("header-nul", '0', "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n"s);
  request("header-too-large", '0', get("/", "X-Big: " + std::string(9000, 'a') + "\r\n"));
  request("header-just-under-limit", '0', get("/", "X-Big: " + std::string(8100, 'a') + "\r\n"));
  request("content-length-over-limit", '0', "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: 70000\r\n\r\n{}");
  request("content-length-negative", '0', "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n{}");
  request("content-length-not-number", '0', "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: abc\r\n\r\n");
  request("content-length-overflow", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999999\r\n\r\n");
  request("content-length-twice-different", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x");
  request("content-length-twice-same", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}");
  request("content-length-list", '0', "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: 2, 2\r\n\r\n{}");
  request("content-length-short-body", '0', "POST /api/peers HTTP/1.1\r\n" + host + "Content-Length: 10\r\n\r\n{}");
  request("content-length-and-chunked", '0',
          "POST /api/peers HTTP/1.1\r\n" + host +
              "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  request("transfer-encoding-gzip-chunked", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  request("transfer-encoding-unknown", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n{}");
  request("chunked-bad-hex", '0', "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
  request("chunked-size-overflow", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nx\r\n");
  request("chunked-over-body-limit", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n10001\r\n{}\r\n");
  request("chunked-missing-crlf", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}0\r\n\r\n");
  request("chunked-no-last-chunk", '0',
          "POST /api/peers HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n");
}

// ---------------------------------------------------------------- settings bodies

// A PUT /api/settings body; `field` is the field it must be refused for, or nothing if it must be accepted.
void settings_body(std::string_view name, const std::string& body, std::optional<std::string> field) {
  const auto parsed = peerdrop::settings::parse_settings_update(body);
  if (!field && !parsed.update) fail(name, "expected accepted, refused: " + parsed.error.message);
  if (field && parsed.update) fail(name, "expected refused for " + *field + ", accepted");
  if (field && parsed.error.field != *field) fail(name, "refused for \"" + parsed.error.field + "\", not " + *field);
  write_seed("settings_body", name, body);
}

void settings_seeds() {
  const std::optional<std::string> ok;
  const std::string none;
  auto servers = [](std::string_view entries) { return R"({"iceServers":[)" + std::string(entries) + "]}"; };
  auto url = [&](std::string_view u) { return servers(R"({"urls":")" + std::string(u) + R"("})"); };

  settings_body("valid-example", R"({"name":"Alice's laptop","iceServers":[{"urls":["stun:198.51.100.9:3478"],)"
                                 R"("username":"u","credential":"c"}],"connectTimeoutMs":30000})", ok);
  settings_body("valid-empty", "{}", ok);
  settings_body("valid-name-only", R"({"name":"  Zo\u00eb's Mac \ud83c\udf4e\n"})", ok);
  settings_body("valid-name-64-bytes", R"({"name":")" + std::string(64, 'x') + R"("})", ok);
  settings_body("valid-timeout-min", R"({"connectTimeoutMs":5000})", ok);
  settings_body("valid-timeout-max", R"({"connectTimeoutMs":300000})", ok);
  settings_body("valid-servers-empty", servers(""), ok);
  settings_body("valid-url-string", url("stun:stun.example.org:19302"), ok);
  settings_body("valid-url-ipv6", url("stun:[2001:db8::1]:3478"), ok);
  settings_body("valid-turn-tcp",
                servers(R"({"urls":["turns:turn.example:5349?transport=tcp","turn:198.51.100.9?transport=udp"],)"
                        R"("username":"u","credential":"c"})"),
                ok);
  settings_body("valid-turn-no-credentials", url("turn:198.51.100.9:3478"), ok);
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += std::string(i ? "," : "") + R"({"urls":"stun:198.51.100.9"})";
  settings_body("valid-16-servers", servers(sixteen), ok);
  settings_body("valid-duplicate-key", R"({"name":"a","name":"b"})", ok);

  settings_body("not-json", "name=Alice", none);
  settings_body("empty", "", none);
  settings_body("array", "[]", none);
  settings_body("null", "null", none);
  settings_body("trailing-comma", R"({"name":"a",})", none);
  settings_body("trailing-garbage", R"({"name":"a"}x)", none);
  settings_body("invalid-utf8", "{\"name\":\"\xff\"}", none);
  settings_body("depth-9", R"({"iceServers":[{"urls":[[[[[["stun:a"]]]]]]}]})", none);
  settings_body("too-large", R"({"name":"a")" + std::string(peerdrop::settings::kMaxSettingsBodyBytes, ' ') + "}",
                none);

  settings_body("unknown-field", R"({"name":"a","colour":"red"})", "colour");
  settings_body("unknown-fields-many", R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6})", "a");
  settings_body("unknown-field-long", R"({")" + std::string(200, 'k') + R"(":1})", std::string(40, 'k') + "\u2026");
  settings_body("unknown-field-case", R"({"Name":"a"})", "Name");

  settings_body("name-empty", R"({"name":""})", "name");
  settings_body("name-spaces", R"({"name":"   "})", "name");
  settings_body("name-65-bytes", R"({"name":")" + std::string(65, 'x') + R"("})", "name");
  settings_body("name-number", R"({"name":42})", "name");
  settings_body("name-null", R"({"name":null})", "name");
  settings_body("name-nul", R"({"name":"a\u0000b"})", "name");
  settings_body("name-escape", R"({"name":"a\u001b[2Jb"})", "name");
  settings_body("name-c1", R"({"name":"a\u0085b"})", "name");
  settings_body("name-bidi-override", R"({"name":"a\u202eb"})", "name");
  settings_body("name-lone-surrogate", R"({"name":"a\ud800b"})", none);  // refused by the JSON parser

  const std::string peer(52, 'A');
  settings_body("valid-auto-accept", R"({"autoAccept":[")" + peer + R"(",")" + std::string(52, '7') + R"("]})", ok);
  settings_body("valid-auto-accept-empty", R"({"autoAccept":[]})", ok);
  settings_body("valid-auto-accept-repeat", R"({"autoAccept":[")" + peer + R"(",")" + peer + R"("]})", ok);
  std::string many_peers;
  for (int i = 0; i < 257; ++i) many_peers += std::string(i ? "," : "") + "\"" + peer + "\"";
  settings_body("auto-accept-257", R"({"autoAccept":[)" + many_peers + "]}", "autoAccept");
  settings_body("auto-accept-not-array", R"({"autoAccept":")" + peer + R"("})", "autoAccept");
  settings_body("auto-accept-lowercase", R"({"autoAccept":[")" + std::string(52, 'a') + R"("]})", "autoAccept");
  settings_body("auto-accept-51", R"({"autoAccept":[")" + std::string(51, 'A') + R"("]})", "autoAccept");
  settings_body("auto-accept-number", R"({"autoAccept":[1]})", "autoAccept");
  settings_body("download-dir", R"({"downloadDir":"/tmp"})", "downloadDir");
  settings_body("download-dir-with-name", R"({"name":"a","downloadDir":"/home/a/Downloads/PeerDrop"})",
                "downloadDir");

  settings_body("valid-relay-on", R"({"relay":true})", ok);
  settings_body("valid-relay-off-with-name", R"({"name":"a","relay":false})", ok);
  settings_body("relay-string", R"({"relay":"true"})", "relay");
  settings_body("relay-number", R"({"relay":1})", "relay");
  settings_body("relay-null", R"({"relay":null})", "relay");
  settings_body("relay-object", R"({"relay":{"enabled":true}})", "relay");

  settings_body("timeout-low", R"({"connectTimeoutMs":4999})", "connectTimeoutMs");
  settings_body("timeout-high", R"({"connectTimeoutMs":300001})", "connectTimeoutMs");
  settings_body("timeout-fraction", R"({"connectTimeoutMs":30000.5})", "connectTimeoutMs");
  settings_body("timeout-string", R"({"connectTimeoutMs":"30000"})", "connectTimeoutMs");
  settings_body("timeout-negative", R"({"connectTimeoutMs":-30000})", "connectTimeoutMs");
  settings_body("timeout-uint64", R"({"connectTimeoutMs":18446744073709551615})", "connectTimeoutMs");

  settings_body("servers-not-array", R"({"iceServers":{}})", "iceServers");
  settings_body("servers-17", servers(sixteen + R"(,{"urls":"stun:198.51.100.9"})"), "iceServers");
  settings_body("server-string", servers(R"("stun:198.51.100.9")"), "iceServers");
  settings_body("server-no-urls", servers("{}"), "iceServers");
  settings_body("server-unknown-field", servers(R"({"urls":"stun:a.example","credentialType":"password"})"),
                "iceServers");
  settings_body("server-urls-empty", servers(R"({"urls":[]})"), "iceServers");
  settings_body("server-urls-5", servers(R"({"urls":["stun:a","stun:b","stun:c","stun:d","stun:e"]})"), "iceServers");
  settings_body("server-urls-number", servers(R"({"urls":[42]})"), "iceServers");
  settings_body("server-turn-username-only", servers(R"({"urls":"turn:a.example","username":"u"})"), "iceServers");
  settings_body("server-secret-129-bytes",
                servers(R"({"urls":"turn:a.example","username":"u","credential":")" + std::string(129, 's') + R"("})"),
                "iceServers");
  settings_body("server-secret-control", servers(R"({"urls":"turn:a.example","username":"u\r\nX","credential":"c"})"),
                "iceServers");
  settings_body("url-257-bytes", url("stun:" + std::string(244, 'a') + ".example"), "iceServers");
  const std::pair<const char*, const char*> bad_urls[] = {
      {"url-http", "http://198.51.100.9"},
      {"url-stuns", "stuns:198.51.100.9"},
      {"url-uppercase", "STUN:198.51.100.9"},
      {"url-slashes", "stun://198.51.100.9"},
      {"url-port-0", "stun:198.51.100.9:0"},
      {"url-port-65536", "stun:198.51.100.9:65536"},
      {"url-port-leading-zero", "stun:198.51.100.9:03478"},
      {"url-bad-ipv4", "stun:256.1.1.1"},
      {"url-bare-ipv6", "stun:2001:db8::1"},
      {"url-bad-ipv6", "stun:[not:v6]"},
      {"url-userinfo", "stun:user@198.51.100.9"},
      {"url-stun-transport", "stun:198.51.100.9?transport=udp"},
      {"url-transport-sctp", "turn:198.51.100.9?transport=sctp"},
      {"url-query", "turn:198.51.100.9?x=1"},
      {"url-percent", "stun:ex%41mple.org"},
      {"url-empty-label", "stun:example..org"},
      {"url-hyphen-label", "stun:-example.org"},
      {"url-path", "stun:example.org/path"},
      {"url-space", "stun:exa mple.org"},
      {"url-non-ascii-host", "stun:b\u00fccher.example"},
      {"url-newline", "stun:198.51.100.9\\n"},
  };
  for (const auto& [seed, bad] : bad_urls) settings_body(seed, url(bad), "iceServers");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR   (fuzz/corpus)\n";
    return 2;
  }
  g_corpus = argv[1];
  const auto alice = fixed_identity(0x01);
  const auto bob = fixed_identity(0x02);
  announcement_seeds(alice, bob);
  health_seeds(alice, bob);
  http_seeds(bob);
  settings_seeds();
  std::cout << "wrote " << g_written << " seeds under " << g_corpus.string() << "\n";
  return 0;
}
