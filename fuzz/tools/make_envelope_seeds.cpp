// Writes the generated seeds of the envelope fuzz corpus:
//   <corpus>/envelope/seed-valid-*   signed envelopes of every documented type
//   <corpus>/envelope/seed-frames-*  HTTP bodies of framed envelopes, good and hostile
//   <corpus>/envelope/seed-*         hostile envelopes, each wrong in one way
// Keys come from fixed seeds and Ed25519 signatures are deterministic, so a
// rerun writes the same bytes. Every seed is checked against the decoder (and
// split_frames, check_envelope) here, so a seed always tests what its name says.
//
//   ninja -C build make_envelope_seeds && build/fuzz/make_envelope_seeds fuzz/corpus
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/big_endian.hpp"
#include "core/errc.hpp"
#include "identity/identity.hpp"
#include "identity/peer_id.hpp"
#include "signaling/envelope.hpp"

namespace {

namespace fs = std::filesystem;
using peerdrop::core::Errc;
using peerdrop::core::make_error_code;
using peerdrop::identity::PublicKey;
using peerdrop::signaling::Envelope;
using Bytes = std::vector<std::uint8_t>;
using namespace std::string_literals;

constexpr std::uint64_t kCreated = 1'764'000'000'000ull;
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kMaxFrames = 64;  // as in envelope_fuzzer.cpp

// ---------------------------------------------------------------- output

fs::path g_dir;
int g_written = 0;

void fail(std::string_view seed, std::string_view why) {
  std::cerr << "seed " << seed << ": " << why << "\n";
  std::exit(1);
}

void write_seed(std::string_view name, const Bytes& bytes) {
  fs::create_directories(g_dir);
  const auto path = g_dir / ("seed-" + std::string(name));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(name, "cannot write " + path.string());
  ++g_written;
}

// ---------------------------------------------------------------- keys

// An Ed25519 key pair from a fixed 32-byte seed (libsodium directly, so the
// seeds can be signed over any bytes, including ones the encoder refuses).
struct Key {
  PublicKey public_key{};
  std::array<std::uint8_t, 64> secret_key{};
  std::string id;

  explicit Key(std::uint8_t fill) {
    std::array<std::uint8_t, 32> seed;
    seed.fill(fill);
    crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
    id = peerdrop::identity::derive_peer_id(public_key);
  }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { sodium_memzero(secret_key.data(), secret_key.size()); }

  std::array<std::uint8_t, kSignatureSize> sign(const Bytes& message) const {
    std::array<std::uint8_t, kSignatureSize> signature{};
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_key.data());
    return signature;
  }
};

// ---------------------------------------------------------------- envelopes

// Every field of an envelope as it goes on the wire, so hostile envelopes can
// be built (and signed) field by field (docs/protocol.md, "Signaling envelope").
struct Fields {
  std::string magic = "PDSG";
  std::uint8_t version = 1;
  std::uint8_t flags = 0;
  std::uint16_t reserved = 0;
  std::optional<PublicKey> sender_key;   // the signer's when unset
  std::optional<std::string> sender_id;  // the signer's id when unset (always written as 52 bytes)
  PublicKey recipient_key{};
  std::uint64_t sequence = 1;
  std::uint64_t floor = 1;
  std::uint64_t created_ms = kCreated;
  std::uint32_t ttl_ms = 60'000;
  std::string type = "offer";
  std::optional<std::uint8_t> type_length;  // type.size() when unset
  std::string payload = "{}";
  std::optional<std::uint32_t> payload_length;  // payload.size() when unset
};

using peerdrop::core::put_big_endian;

Bytes build(const Fields& f, const Key& signer) {
  Bytes out(f.magic.begin(), f.magic.end());
  put_big_endian(out, f.version);
  put_big_endian(out, f.flags);
  put_big_endian(out, f.reserved);
  const auto sender_key = f.sender_key.value_or(signer.public_key);
  out.insert(out.end(), sender_key.begin(), sender_key.end());
  auto sender_id = f.sender_id.value_or(signer.id);
  sender_id.resize(52, 'A');
  out.insert(out.end(), sender_id.begin(), sender_id.end());
  out.insert(out.end(), f.recipient_key.begin(), f.recipient_key.end());
  put_big_endian(out, f.sequence);
  put_big_endian(out, f.floor);
  put_big_endian(out, f.created_ms);
  put_big_endian(out, f.ttl_ms);
  put_big_endian(out, f.type_length.value_or(static_cast<std::uint8_t>(f.type.size())));
  out.insert(out.end(), f.type.begin(), f.type.end());
  put_big_endian(out, f.payload_length.value_or(static_cast<std::uint32_t>(f.payload.size())));
  out.insert(out.end(), f.payload.begin(), f.payload.end());
  const auto signature = signer.sign(out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

std::string error_text(Errc e) { return make_error_code(e).message(); }

// Writes an envelope the decoder accepts and check_envelope judges as `check`
// (Errc::ok for accepted) at its creation time, for its recipient.
void valid_envelope(std::string_view name, const Bytes& bytes, Errc check = Errc::ok) {
  const auto decoded = peerdrop::signaling::decode_envelope(bytes);
  if (!decoded) fail(name, "expected a valid envelope, got " + decoded.error().message());
  const auto now =
      static_cast<std::int64_t>(std::min<std::uint64_t>(decoded->created_ms, std::numeric_limits<std::int64_t>::max()));
  const auto checked = peerdrop::signaling::check_envelope(*decoded, decoded->recipient_key, now);
  if (checked.has_value() != (check == Errc::ok) || (!checked && checked.error() != make_error_code(check))) {
    fail(name, "expected check_envelope to say \"" + error_text(check) + "\", got \"" +
                   (checked ? error_text(Errc::ok) : checked.error().message()) + "\"");
  }
  write_seed(name, bytes);
}

// Writes an envelope the decoder refuses with `expected`.
void hostile_envelope(std::string_view name, const Bytes& bytes, Errc expected) {
  const auto decoded = peerdrop::signaling::decode_envelope(bytes);
  if (decoded) fail(name, "expected an error, the envelope decodes");
  if (decoded.error() != make_error_code(expected)) {
    fail(name, "expected \"" + error_text(expected) + "\", got \"" + decoded.error().message() + "\"");
  }
  write_seed(name, bytes);
}

// Writes an HTTP body that split_frames accepts with `frames` frames (Errc::ok),
// or refuses with `expected`.
void framed_body(std::string_view name, const Bytes& body, Errc expected, std::size_t frames = 0) {
  const auto split = peerdrop::signaling::split_frames(body, kMaxFrames);
  if (expected == Errc::ok) {
    if (!split) fail(name, "expected frames, got " + split.error().message());
    if (split->size() != frames) fail(name, "expected " + std::to_string(frames) + " frames");
  } else if (split || split.error() != make_error_code(expected)) {
    fail(name, "expected \"" + error_text(expected) + "\" from split_frames");
  }
  write_seed(name, body);
}

Bytes with_bit_flipped(Bytes bytes, std::size_t index) {
  bytes.at(index) ^= 0x01;
  return bytes;
}

std::string nested_object(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += R"({"a":)";
  return text + "1" + std::string(static_cast<std::size_t>(depth), '}');
}

// A body whose first frame claims `length` bytes and carries `carried` bytes.
Bytes frame_claiming(std::uint32_t length, std::size_t carried) {
  Bytes body;
  put_big_endian(body, length);
  body.resize(4 + carried, 0x7b);
  return body;
}

void envelope_seeds(const Key& alice, const Key& bob, const Key& carol) {
  Fields base;
  base.recipient_key = bob.public_key;

  // Valid: one of every documented type, as a UI would send them.
  const std::pair<const char*, std::string> typed[] = {
      {"connection_request", R"({"name":"alice-laptop","requestId":"7f3a"})"},
      {"connection_accept", R"({"requestId":"7f3a"})"},
      {"connection_decline", R"({"requestId":"7f3a","reason":"busy"})"},
      {"offer", R"({"sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"})"},
      {"answer", R"({"sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"})"},
      {"ice_candidate",
       R"({"candidate":"candidate:842163049 1 udp 1677729535 192.0.2.7 46154 typ srflx","sdpMid":"0","sdpMLineIndex":0})"},
      {"bye", "{}"},
      {"app:chat", "{\"text\":\"h\xc3\xa9llo \xe2\x9c\x93 \\ud83c\\udf4e\"}"},
  };
  std::uint64_t sequence = 1;
  std::vector<Bytes> conversation;
  for (const auto& [type, payload] : typed) {
    auto f = base;
    f.type = type;
    f.payload = payload;
    f.sequence = sequence++;
    conversation.push_back(build(f, alice));
    std::string name = "valid-"s + type;
    for (auto& c : name) c = (c == '_' || c == ':') ? '-' : c;
    valid_envelope(name, conversation.back());
  }
  auto f = base;
  f.type = "ice_candidate";
  f.payload = R"({"candidate":null})";
  valid_envelope("valid-ice-candidate-end", build(f, alice));
  f = base;
  f.flags = Envelope::kFlagCannotReachYou;
  valid_envelope("valid-cannot-reach-you", build(f, alice));
  f = base;
  f.sequence = 9;
  f.floor = 9;
  valid_envelope("valid-floor-equals-sequence", build(f, alice));
  f.floor = 1;
  valid_envelope("valid-floor-below-sequence", build(f, alice));
  f = base;
  f.sequence = f.floor = ~0ull;
  f.created_ms = ~0ull;
  f.ttl_ms = Envelope::kMaxTtlMs;
  valid_envelope("valid-max-fields", build(f, alice));
  f = base;
  f.created_ms = 0;
  f.ttl_ms = 1;
  valid_envelope("valid-min-fields", build(f, alice));
  f = base;
  f.type = std::string(32, 'z');
  valid_envelope("valid-type-32-chars", build(f, alice));
  f.type = "app:x-y.z_0";
  valid_envelope("valid-type-all-classes", build(f, alice));
  f = base;
  f.payload = R"({"a":")" + std::string(Envelope::kMaxPayloadBytes - 8, 'x') + R"("})";
  valid_envelope("valid-payload-65536-bytes", build(f, alice));
  f.payload = nested_object(32);
  valid_envelope("valid-payload-depth-32", build(f, alice));
  f.payload = " \t\r\n{ \"a\" : [ 1 , 2.5e3 , true , false , null ] } \n";
  valid_envelope("valid-payload-whitespace", build(f, alice));
  f.payload = R"({"a":1,"a":2})";
  valid_envelope("valid-payload-duplicate-key", build(f, alice));
  f = base;
  f.recipient_key = alice.public_key;
  valid_envelope("valid-other-sender", build(f, bob));
  // Well-formed and signed by its key, but claiming the id another key was pinned under.
  f = base;
  f.sender_id = carol.id;
  valid_envelope("valid-claims-other-id", build(f, alice), Errc::key_changed);

  // Framed HTTP bodies.
  framed_body("frames-empty", {}, Errc::ok, 0);
  framed_body("frames-one", peerdrop::signaling::frame_envelopes({conversation.front()}), Errc::ok, 1);
  framed_body("frames-conversation", peerdrop::signaling::frame_envelopes(conversation), Errc::ok, conversation.size());
  auto mixed = conversation;
  mixed[1] = with_bit_flipped(mixed[1], 60);
  framed_body("frames-one-forged", peerdrop::signaling::frame_envelopes(mixed), Errc::ok, mixed.size());
  framed_body("frames-64-tiny", peerdrop::signaling::frame_envelopes(std::vector<Bytes>(64, Bytes{'{'})), Errc::ok, 64);
  framed_body("frames-65-tiny", peerdrop::signaling::frame_envelopes(std::vector<Bytes>(65, Bytes{'{'})),
              Errc::too_large);
  framed_body("frames-zero-length", frame_claiming(0, 0), Errc::malformed);
  framed_body("frames-zero-length-then-data", frame_claiming(0, 8), Errc::malformed);
  framed_body("frames-length-70001", frame_claiming(70'001, 8), Errc::too_large);
  framed_body("frames-length-max", frame_claiming(0xffffffff, 8), Errc::too_large);
  framed_body("frames-length-70000", frame_claiming(70'000, 70'000), Errc::ok, 1);
  framed_body("frames-truncated-length", Bytes{0, 0, 1}, Errc::malformed);
  auto body = peerdrop::signaling::frame_envelopes({conversation[0], conversation[1]});
  framed_body("frames-truncated-body", Bytes(body.begin(), body.end() - 1), Errc::malformed);
  body.push_back(0);
  framed_body("frames-trailing-byte", body, Errc::malformed);

  // Hostile: size.
  const auto good = build(base, alice);
  hostile_envelope("empty", {}, Errc::malformed);
  hostile_envelope("truncated-magic", Bytes(good.begin(), good.begin() + 3), Errc::malformed);
  hostile_envelope("truncated-header", Bytes(good.begin(), good.begin() + 152), Errc::malformed);
  hostile_envelope("truncated-one-byte", Bytes(good.begin(), good.end() - 1), Errc::malformed);
  hostile_envelope("truncated-no-signature", Bytes(good.begin(), good.end() - 64), Errc::malformed);
  auto longer = good;
  longer.push_back(0);
  hostile_envelope("trailing-byte", longer, Errc::malformed);
  auto oversized = good;
  oversized.resize(Envelope::kMaxSize + 1, 0xaa);
  hostile_envelope("oversized-70001-bytes", oversized, Errc::too_large);
  auto at_limit = good;
  at_limit.resize(Envelope::kMaxSize, 0xaa);
  hostile_envelope("size-70000-bytes", at_limit, Errc::malformed);

  // Hostile: header fields (each envelope is signed, so only that field is wrong).
  f = base;
  f.magic = "PDRP";
  hostile_envelope("wrong-magic-discovery", build(f, alice), Errc::malformed);
  f.magic = "pdsg";
  hostile_envelope("wrong-magic-lowercase", build(f, alice), Errc::malformed);
  for (const std::uint8_t version : {0, 2, 255}) {
    f = base;
    f.version = version;
    hostile_envelope("wrong-version-" + std::to_string(version), build(f, alice), Errc::unsupported_version);
  }
  hostile_envelope("wrong-version-2-short", Bytes{'P', 'D', 'S', 'G', 2}, Errc::unsupported_version);
  for (const std::uint8_t flags : {0x02, 0xff}) {
    f = base;
    f.flags = flags;
    hostile_envelope("flags-" + std::to_string(flags), build(f, alice), Errc::malformed);
  }
  f = base;
  f.reserved = 1;
  hostile_envelope("reserved-nonzero", build(f, alice), Errc::malformed);
  f = base;
  f.sender_id = std::string(52, 'a');
  hostile_envelope("sender-id-lowercase", build(f, alice), Errc::malformed);
  f = base;
  f.sequence = 0;
  f.floor = 0;
  hostile_envelope("sequence-0", build(f, alice), Errc::malformed);
  f = base;
  f.floor = 0;
  hostile_envelope("floor-0", build(f, alice), Errc::malformed);
  f = base;
  f.sequence = 5;
  f.floor = 6;
  hostile_envelope("floor-above-sequence", build(f, alice), Errc::malformed);
  for (const std::uint32_t ttl : {0u, 600'001u, 0xffffffffu}) {
    f = base;
    f.ttl_ms = ttl;
    hostile_envelope("ttl-" + std::to_string(ttl), build(f, alice), Errc::malformed);
  }

  // Hostile: types.
  const std::pair<const char*, std::string> bad_types[] = {
      {"type-empty", ""},
      {"type-33-chars", std::string(33, 'a')},
      {"type-255-chars", std::string(255, 'a')},
      {"type-uppercase", "Offer"},
      {"type-space", "ice candidate"},
      {"type-slash", "app/chat"},
      {"type-utf8", "caf\xc3\xa9"},
      {"type-nul", "of\0fer"s},
      {"type-newline", "offer\n"},
  };
  for (const auto& [name, type] : bad_types) {
    f = base;
    f.type = type;
    hostile_envelope(name, build(f, alice), Errc::malformed);
  }
  f = base;
  f.type_length = 6;  // one more than "offer": the payload length is read one byte late
  hostile_envelope("type-length-mismatch", build(f, alice), Errc::malformed);

  // Hostile: payloads.
  const std::pair<const char*, std::string> bad_payloads[] = {
      {"payload-empty", ""},
      {"payload-not-json", "hello"},
      {"payload-array", "[{}]"},
      {"payload-string", "\"{}\""},
      {"payload-number", "42"},
      {"payload-null", "null"},
      {"payload-unterminated", "{\"a\":1"},
      {"payload-two-objects", "{}{}"},
      {"payload-trailing-garbage", "{}x"},
      {"payload-trailing-comma", "{\"a\":1,}"},
      {"payload-comment", "{/* c */}"},
      {"payload-invalid-utf8", "{\"a\":\"\xff\"}"},
      {"payload-utf8-surrogate", "{\"a\":\"\xed\xa0\x80\"}"},
      {"payload-raw-newline", "{\"a\":\"x\ny\"}"},
      {"payload-nul", "{}\0"s},
      {"payload-depth-33", nested_object(33)},
      {"payload-depth-10000", nested_object(10'000)},
      {"payload-array-depth-10000", std::string(10'000, '[') + std::string(10'000, ']')},
  };
  for (const auto& [name, payload] : bad_payloads) {
    f = base;
    f.payload = payload;
    hostile_envelope(name, build(f, alice), Errc::malformed);
  }
  f = base;
  f.payload = R"({"a":")" + std::string(Envelope::kMaxPayloadBytes - 7, 'x') + R"("})";
  hostile_envelope("payload-65537-bytes", build(f, alice), Errc::too_large);
  f = base;
  f.payload_length = 3;
  hostile_envelope("payload-length-mismatch", build(f, alice), Errc::malformed);
  f.payload_length = 0xffffffff;
  hostile_envelope("payload-length-max", build(f, alice), Errc::malformed);

  // Hostile: signatures.
  const auto signed_end = good.size() - kSignatureSize;
  hostile_envelope("flipped-signed-byte", with_bit_flipped(good, 130), Errc::bad_signature);
  hostile_envelope("flipped-created-byte", with_bit_flipped(good, 147), Errc::bad_signature);
  hostile_envelope("flipped-signature", with_bit_flipped(good, good.size() - 1), Errc::bad_signature);
  hostile_envelope("flipped-key", with_bit_flipped(good, 8), Errc::bad_signature);
  f = base;
  f.sender_key = alice.public_key;
  hostile_envelope("signed-by-other-key", build(f, carol), Errc::bad_signature);
  auto zeroed = good;
  std::fill(zeroed.begin() + static_cast<std::ptrdiff_t>(signed_end), zeroed.end(), 0);
  hostile_envelope("zero-signature", zeroed, Errc::bad_signature);
  std::fill(zeroed.begin() + 8, zeroed.begin() + 40, 0);
  hostile_envelope("zero-key-zero-signature", zeroed, Errc::bad_signature);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR   (fuzz/corpus)\n";
    return 2;
  }
  if (sodium_init() < 0) fail("keys", "libsodium failed to initialise");
  g_dir = fs::path(argv[1]) / "envelope";
  const Key alice(0x01);
  const Key bob(0x02);
  const Key carol(0x03);
  envelope_seeds(alice, bob, carol);
  std::cout << "wrote " << g_written << " seeds to " << g_dir.string() << "\n";
  return 0;
}
