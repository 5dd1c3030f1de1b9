#pragma once

#include "http/http_config.hpp"

namespace peerdrop::testing {

// An HTTP server on 127.0.0.1 with a port the kernel picks (HttpServer::bind tells which).
inline http::HttpConfig loopback_http_config() {
  http::HttpConfig config;
  config.bind = "127.0.0.1";
  config.port = 0;
  return config;
}

}  // namespace peerdrop::testing
