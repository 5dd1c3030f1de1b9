#include "lane/lane_message.hpp"

#include <boost/json/serialize.hpp>
#include <set>

#include "core/errc.hpp"
#include "core/json_fields.hpp"
#include "core/limits.hpp"
#include "transfer/transfer_service.hpp"

namespace peerdrop::lane {

namespace json = boost::json;
using core::Errc;

namespace {

constexpr std::size_t kMaxDepth = 4;

boost::system::error_code malformed() { return core::make_error_code(Errc::malformed); }
boost::system::error_code too_large() { return core::make_error_code(Errc::too_large); }

// A required string of at most `max` bytes.
boost::system::result<std::string> text(const json::object& o, std::string_view key, std::size_t max) {
  const auto* s = core::string_field(o, key);
  if (!s) return malformed();
  if (s->size() > max) return too_large();
  return std::string(*s);
}
// An optional string: empty when absent.
boost::system::result<std::string> optional_text(const json::object& o, std::string_view key, std::size_t max) {
  if (!o.contains(key)) return std::string();
  return text(o, key, max);
}
boost::system::result<std::string> tid_of(const json::object& o) {
  const auto* s = core::string_field(o, "tid");
  if (!s || !transfer::TransferService::is_valid_transfer_id(*s)) return malformed();
  return std::string(*s);
}
boost::system::result<std::uint32_t> u32(const json::object& o, std::string_view key) {
  const auto v = core::whole_field(o, key, core::kMaxU32);
  if (!v) return malformed();
  return static_cast<std::uint32_t>(*v);
}
boost::system::result<std::uint64_t> size(const json::object& o, std::string_view key) {
  const auto v = core::whole_field(o, key, core::kMaxSafeInteger);
  if (!v) return malformed();
  return *v;
}
bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

#define TRY(var, expr)            \
  auto var##_r = (expr);          \
  if (!var##_r) return var##_r.error(); \
  auto var = std::move(*var##_r)

boost::system::result<LaneMessage> parse_offer(const json::object& o) {
  TRY(tid, tid_of(o));
  const auto* files = core::array_field(o, "files");
  if (!files) return malformed();
  if (files->size() > kMaxOfferedFiles) return too_large();
  Offer offer{.tid = std::move(tid), .files = {}};
  offer.files.reserve(files->size());
  for (const auto& f : *files) {
    if (!f.is_object()) return malformed();
    TRY(path, text(f.as_object(), "path", kMaxPathBytes));
    TRY(bytes, size(f.as_object(), "size"));
    offer.files.push_back(OfferedFile{.path = std::move(path), .size = bytes});
  }
  return offer;
}

boost::system::result<LaneMessage> parse_want(const json::object& o) {
  TRY(tid, tid_of(o));
  TRY(gen, u32(o, "gen"));
  TRY(credit, size(o, "credit"));
  const auto* files = core::array_field(o, "files");
  if (!files) return malformed();
  if (files->size() > kMaxOfferedFiles) return too_large();
  Want want{.tid = std::move(tid), .gen = gen, .files = {}, .credit = credit};
  std::set<std::uint32_t> seen;
  for (const auto& f : *files) {
    if (!f.is_object()) return malformed();
    TRY(index, u32(f.as_object(), "index"));
    TRY(offset, size(f.as_object(), "offset"));
    if (!seen.insert(index).second) return malformed();
    want.files.push_back(WantedFile{.index = index, .offset = offset});
  }
  return want;
}

}  // namespace

boost::system::result<LaneMessage> parse_lane_message(std::string_view text_in) {
  if (text_in.size() > kMaxLaneMessageBytes) return too_large();
  auto parsed = core::parse_json(text_in, kMaxDepth);
  if (!parsed) return parsed.error();
  if (!parsed->is_object()) return malformed();
  const auto& o = parsed->as_object();
  const auto* kind = core::string_field(o, "t");
  if (!kind) return malformed();
  if (*kind == "offer") return parse_offer(o);
  if (*kind == "want") return parse_want(o);
  TRY(tid, tid_of(o));
  if (*kind == "answer") {
    const auto accepted = core::bool_field(o, "accepted");
    if (!accepted) return malformed();
    TRY(code, optional_text(o, "code", kMaxReasonBytes));
    TRY(reason, optional_text(o, "reason", kMaxReasonBytes));
    return Answer{.tid = std::move(tid), .accepted = *accepted, .code = std::move(code), .reason = std::move(reason)};
  }
  if (*kind == "credit") {
    TRY(gen, u32(o, "gen"));
    TRY(credit, size(o, "credit"));
    return Credit{.tid = std::move(tid), .gen = gen, .credit = credit};
  }
  if (*kind == "end") {
    TRY(gen, u32(o, "gen"));
    TRY(index, u32(o, "index"));
    TRY(bytes, size(o, "size"));
    TRY(sha, text(o, "sha256", 64));
    if (!is_sha256_hex(sha)) return malformed();
    return FileEnd{.tid = std::move(tid), .gen = gen, .index = index, .size = bytes, .sha256 = std::move(sha)};
  }
  if (*kind == "landed") {
    TRY(index, u32(o, "index"));
    const auto ok = core::bool_field(o, "ok");
    if (!ok) return malformed();
    TRY(name, optional_text(o, "name", kMaxPathBytes));
    TRY(code, optional_text(o, "code", kMaxReasonBytes));
    TRY(reason, optional_text(o, "reason", kMaxReasonBytes));
    return FileLanded{.tid = std::move(tid), .index = index, .ok = *ok, .name = std::move(name),
                      .code = std::move(code), .reason = std::move(reason)};
  }
  if (*kind == "done") return Done{.tid = std::move(tid)};
  if (*kind == "cancel" || *kind == "stalled") {
    TRY(code, optional_text(o, "code", kMaxReasonBytes));
    TRY(reason, optional_text(o, "reason", kMaxReasonBytes));
    if (*kind == "cancel") return Cancel{.tid = std::move(tid), .code = std::move(code), .reason = std::move(reason)};
    return Stalled{.tid = std::move(tid), .code = std::move(code), .reason = std::move(reason)};
  }
  return malformed();
}

#undef TRY

namespace {

struct Writer {
  json::object operator()(const Offer& m) const {
    json::array files;
    files.reserve(m.files.size());
    for (const auto& f : m.files) files.push_back(json::object{{"path", f.path}, {"size", f.size}});
    return {{"t", "offer"}, {"tid", m.tid}, {"files", std::move(files)}};
  }
  json::object operator()(const Answer& m) const {
    json::object o{{"t", "answer"}, {"tid", m.tid}, {"accepted", m.accepted}};
    if (!m.code.empty()) o["code"] = m.code;
    if (!m.reason.empty()) o["reason"] = m.reason;
    return o;
  }
  json::object operator()(const Want& m) const {
    json::array files;
    files.reserve(m.files.size());
    for (const auto& f : m.files) files.push_back(json::object{{"index", f.index}, {"offset", f.offset}});
    return {{"t", "want"}, {"tid", m.tid}, {"gen", m.gen}, {"files", std::move(files)}, {"credit", m.credit}};
  }
  json::object operator()(const Credit& m) const {
    return {{"t", "credit"}, {"tid", m.tid}, {"gen", m.gen}, {"credit", m.credit}};
  }
  json::object operator()(const FileEnd& m) const {
    return {{"t", "end"}, {"tid", m.tid}, {"gen", m.gen}, {"index", m.index}, {"size", m.size}, {"sha256", m.sha256}};
  }
  json::object operator()(const FileLanded& m) const {
    json::object o{{"t", "landed"}, {"tid", m.tid}, {"index", m.index}, {"ok", m.ok}};
    if (!m.name.empty()) o["name"] = m.name;
    if (!m.code.empty()) o["code"] = m.code;
    if (!m.reason.empty()) o["reason"] = m.reason;
    return o;
  }
  json::object operator()(const Done& m) const { return {{"t", "done"}, {"tid", m.tid}}; }
  json::object operator()(const Cancel& m) const {
    return {{"t", "cancel"}, {"tid", m.tid}, {"code", m.code}, {"reason", m.reason}};
  }
  json::object operator()(const Stalled& m) const {
    return {{"t", "stalled"}, {"tid", m.tid}, {"code", m.code}, {"reason", m.reason}};
  }
};

}  // namespace

std::string serialize(const LaneMessage& message) { return json::serialize(std::visit(Writer{}, message)); }

}  // namespace peerdrop::lane
