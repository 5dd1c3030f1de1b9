#include "http/transfer_routes.hpp"

#include "core/errc.hpp"
#include "core/error_text.hpp"
#include "core/json_fields.hpp"
#include "core/limits.hpp"
#include "identity/peer_id.hpp"

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

namespace peerdrop::http {

namespace bhttp = boost::beast::http;
using core::Errc;

namespace {

constexpr std::size_t kMaxPaths = 1'000;
constexpr std::size_t kMaxPathBytes = 4096;
constexpr std::size_t kMaxVia = 32;

std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 20) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

Response no_content() {
  Response response(bhttp::status::no_content, 11);
  response.prepare_payload();
  return response;
}

Response not_found() {
  return error_response(bhttp::status::not_found, "not_found",
                        "there is no such transfer or offer (it may have finished or expired); see GET /api/transfers");
}

Response method_not_allowed(std::string_view allowed) {
  auto response = error_response(bhttp::status::method_not_allowed, "method_not_allowed",
                                 "this endpoint answers " + std::string(allowed));
  response.set(bhttp::field::allow, allowed);
  return response;
}

}  // namespace

Response TransferRoutes::route(const Request& request, std::string_view path) {
  const auto method = request.method();
  if (path == "/api/transfers") {
    if (method == bhttp::verb::get) return json_response(bhttp::status::ok, lane_.list());
    if (method == bhttp::verb::post) return send(request);
    return method_not_allowed("GET, POST");
  }
  if (path == "/api/offers") {
    if (method == bhttp::verb::get) return json_response(bhttp::status::ok, lane_.offers());
    return method_not_allowed("GET");
  }
  if (path.starts_with("/api/transfers/")) {
    const std::string tid(path.substr(std::string_view("/api/transfers/").size()));
    if (method == bhttp::verb::get) {
      auto found = lane_.get(tid);
      return found ? json_response(bhttp::status::ok, *found) : not_found();
    }
    if (method == bhttp::verb::delete_) return lane_.cancel(tid) ? not_found() : no_content();
    return method_not_allowed("GET, DELETE");
  }
  // /api/offers/TID/accept or /decline
  auto rest = path.substr(std::string_view("/api/offers/").size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return not_found();
  const auto tid = rest.substr(0, slash);
  const auto verb = rest.substr(slash + 1);
  if (verb != "accept" && verb != "decline") return not_found();
  if (method != bhttp::verb::post) return method_not_allowed("POST");
  return answer(request, tid, verb == "accept");
}

Response TransferRoutes::send(const Request& request) {
  const auto body = core::parse_json(request.body(), 4);
  const auto* object = body && body->is_object() ? &body->get_object() : nullptr;
  const auto* to = object ? core::string_field(*object, "to") : nullptr;
  const auto* paths = object ? core::array_field(*object, "paths") : nullptr;
  const auto usage = [] {
    return error_response(bhttp::status::bad_request, "bad_request",
                          "send {\"to\": PEER_ID, \"paths\": [\"/absolute/path\", …]} (1 to 1000 paths)");
  };
  if (const auto* files = object ? core::array_field(*object, "files") : nullptr; to && files && !paths) {
    return send_from_page(std::string(*to), *files);
  }
  if (!to || !paths || paths->empty() || paths->size() > kMaxPaths) return usage();
  std::vector<std::string> list;
  for (const auto& p : *paths) {
    if (!p.is_string() || p.as_string().empty() || p.as_string().size() > kMaxPathBytes ||
        p.as_string().front() != '/') {
      return usage();
    }
    list.emplace_back(p.as_string());
  }
  if (!identity::looks_like_peer_id(*to)) {
    return error_response(bhttp::status::not_found, "unknown_peer", "\"to\" must be the id of a known peer");
  }
  std::string failed_path;
  auto made = lane_.send_paths(std::string(*to), list, failed_path);
  if (made) return json_response(bhttp::status::created, *made);
  const auto& ec = made.error();
  if (ec == Errc::unknown_peer) {
    return error_response(bhttp::status::not_found, "unknown_peer",
                          "no verified peer has that id; see GET /api/peers");
  }
  if (ec == Errc::malformed) {
    return error_response(bhttp::status::bad_request, "no_files",
                          "there is nothing to send there: no regular files (links and devices are left out)");
  }
  if (ec == Errc::too_many_files) {
    return error_response(bhttp::status::bad_request, "too_many_files",
                          "that is more files than one transfer takes; send them in parts");
  }
  if (ec.category() == boost::system::system_category()) {
    return error_response(bhttp::status::bad_request, "unreadable", failed_path + ": " + ec.message());
  }
  const auto [code, sentence] = core::error_text(ec);
  return error_response(bhttp::status::internal_server_error, code, sentence);
}

Response TransferRoutes::send_from_page(const std::string& to, const boost::json::array& files) {
  const auto usage = [] {
    return error_response(bhttp::status::bad_request, "bad_request",
                          "send {\"to\": PEER_ID, \"files\": [{\"path\": \"relative/name\", \"size\": BYTES}, …]}");
  };
  if (files.empty()) return usage();
  std::vector<std::pair<std::string, std::uint64_t>> list;
  list.reserve(files.size());
  for (const auto& f : files) {
    const auto* o = f.is_object() ? &f.as_object() : nullptr;
    const auto* path = o ? core::string_field(*o, "path") : nullptr;
    const auto size = o ? core::whole_field(*o, "size", core::kMaxSafeInteger) : std::nullopt;
    if (!path || path->empty() || path->size() > kMaxPathBytes || !size) return usage();
    list.emplace_back(std::string(*path), *size);
  }
  if (!identity::looks_like_peer_id(to)) {
    return error_response(bhttp::status::not_found, "unknown_peer", "\"to\" must be the id of a known peer");
  }
  auto made = lane_.send_from_page(to, std::move(list));
  if (made) return json_response(bhttp::status::created, *made);
  if (made.error() == Errc::unknown_peer) {
    return error_response(bhttp::status::not_found, "unknown_peer", "no verified peer has that id; see GET /api/peers");
  }
  if (made.error() == Errc::too_many_files) {
    return error_response(bhttp::status::bad_request, "too_many_files",
                          "that is more files than one transfer takes; send them in parts");
  }
  if (made.error() == Errc::malformed) return usage();
  const auto [code, sentence] = core::error_text(made.error());
  return error_response(bhttp::status::internal_server_error, code, sentence);
}

bool TransferRoutes::is_upload(const Request& header, std::string_view path) {
  return header.method() == bhttp::verb::put && path.starts_with("/api/transfers/") &&
         path.find("/files/") != std::string_view::npos;
}

std::variant<TransferRoutes::Upload, Response> TransferRoutes::begin_upload(const Request& header,
                                                                           std::string_view path) {
  // /api/transfers/TID/files/INDEX?offset=N
  const auto rest = path.substr(std::string_view("/api/transfers/").size());
  const auto slash = rest.find("/files/");
  Upload upload{.tid = std::string(rest.substr(0, slash))};
  const auto index_text = rest.substr(slash + std::string_view("/files/").size());
  const auto index = parse_whole(index_text, core::kMaxU32);
  const auto url = boost::urls::parse_origin_form(header.target());
  std::optional<std::uint64_t> offset;
  if (url) {
    if (const auto it = url->params().find("offset"); it != url->params().end() && (*it).has_value) {
      offset = parse_whole((*it).value, core::kMaxSafeInteger);
    }
  }
  if (!index || !offset) {
    return error_response(bhttp::status::bad_request, "bad_request",
                          "PUT /api/transfers/TID/files/INDEX?offset=N with the file's bytes from N as the body");
  }
  upload.index = static_cast<std::uint32_t>(*index);
  upload.offset = *offset;
  const auto size = lane_.upload_size(upload.tid, upload.index);
  if (!size) return not_found();
  upload.size = *size;
  const auto held = lane_.uploaded(upload.tid, upload.index);
  if (held != upload.offset) {
    auto response = json_response(bhttp::status::conflict,
                                  boost::json::object{{"code", "offset"},
                                                      {"error", "the daemon holds " + std::to_string(held) +
                                                                    " bytes of this file: send from there"},
                                                      {"uploaded", held}});
    return response;
  }
  return upload;
}

Response TransferRoutes::finish_upload(const Upload& upload, const boost::system::error_code& error) {
  if (error) {
    if (error == boost::system::errc::no_space_on_device) {
      return error_response(bhttp::status::insufficient_storage, "disk_full",
                            "this computer's disk is full: free some space, then offer the files again");
    }
    if (error == Errc::unknown_transfer) return not_found();
    const auto [code, sentence] = core::error_text(error);
    return error_response(bhttp::status::internal_server_error, code, sentence);
  }
  const auto held = lane_.uploaded(upload.tid, upload.index);
  if (held >= upload.size) return no_content();
  return json_response(bhttp::status::ok, boost::json::object{{"uploaded", held}});
}

Response TransferRoutes::answer(const Request& request, std::string_view tid, bool accept) {
  std::string via = "control API";
  if (!request.body().empty()) {
    const auto body = core::parse_json(request.body(), 4);
    const auto* object = body && body->is_object() ? &body->get_object() : nullptr;
    const auto* given = object ? core::string_field(*object, "via") : nullptr;
    if (!given || given->empty() || given->size() > kMaxVia) {
      return error_response(bhttp::status::bad_request, "bad_request",
                            "send no body, or {\"via\": \"command line\"} (who answered, at most 32 characters)");
    }
    via = std::string(*given);
  }
  if (lane_.answer(std::string(tid), accept, via)) return not_found();
  return no_content();
}

}  // namespace peerdrop::http
