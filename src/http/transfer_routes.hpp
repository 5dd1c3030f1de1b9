#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "http/json_response.hpp"
#include "lane/lane_control.hpp"

namespace peerdrop::http {

// The control API of the transfer lane (docs/protocol.md, "Control API:
// transfers"), for the `peerdrop` command and the page:
//   POST   /api/transfers              {"to": PEER_ID, "paths": [ABSOLUTE_PATH, …]}  → 201 the transfer
//   GET    /api/transfers              → {"transfers": […]}
//   GET    /api/transfers/TID          → the transfer with its files
//   DELETE /api/transfers/TID          → 204, cancelled (either direction)
//   GET    /api/offers                 → {"offers": […]}: waiting here for an answer
//   POST   /api/offers/TID/accept      {"via": "command line"}  (and /decline) → 204
//   POST   /api/transfers              {"to": PEER_ID, "files": [{"path", "size"}, …]}  → 201, a page uploads them:
//   PUT    /api/transfers/TID/files/I?offset=N   the file's bytes from N (streamed: HttpServer reads the
//          body in chunks into upload()) → 204 when the daemon holds it all; 409 {"uploaded": M} if N ≠ M
// The caller (ApiHandler) has checked the control token.
class TransferRoutes {
 public:
  explicit TransferRoutes(lane::LaneControl& lane) : lane_(lane) {}

  static bool handles(std::string_view path) {
    return path == "/api/transfers" || path.starts_with("/api/transfers/") || path == "/api/offers" ||
           path.starts_with("/api/offers/");
  }
  Response route(const Request& request, std::string_view path);

  // The upload a PUT's header starts (its body is read after this).
  struct Upload {
    std::string tid;
    std::uint32_t index = 0;
    std::uint64_t offset = 0;  // where its body goes
    std::uint64_t size = 0;    // the file's size: the body may not go past it
  };
  static bool is_upload(const Request& header, std::string_view path);
  // The upload, or the answer that refuses it before its body is read.
  std::variant<Upload, Response> begin_upload(const Request& header, std::string_view path);
  boost::system::error_code upload(const Upload& upload, std::uint64_t offset, std::span<const std::uint8_t> bytes) {
    return lane_.upload(upload.tid, upload.index, offset, bytes);
  }
  // The answer once the body was read (or a write failed: `error`).
  Response finish_upload(const Upload& upload, const boost::system::error_code& error);

 private:
  Response send(const Request& request);
  Response send_from_page(const std::string& to, const boost::json::array& files);
  Response answer(const Request& request, std::string_view tid, bool accept);

  lane::LaneControl& lane_;
};

}  // namespace peerdrop::http
