#pragma once

#include <string_view>

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
// The caller (ApiHandler) has checked the control token.
class TransferRoutes {
 public:
  explicit TransferRoutes(lane::LaneControl& lane) : lane_(lane) {}

  static bool handles(std::string_view path) {
    return path == "/api/transfers" || path.starts_with("/api/transfers/") || path == "/api/offers" ||
           path.starts_with("/api/offers/");
  }
  Response route(const Request& request, std::string_view path);

 private:
  Response send(const Request& request);
  Response answer(const Request& request, std::string_view tid, bool accept);

  lane::LaneControl& lane_;
};

}  // namespace peerdrop::http
