#include "http/json_response.hpp"

#include <boost/json/serialize.hpp>

namespace peerdrop::http {

namespace bhttp = boost::beast::http;

Response json_response(bhttp::status status, const boost::json::value& body) {
  Response response(status, 11);
  response.set(bhttp::field::content_type, "application/json");
  response.set(bhttp::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = boost::json::serialize(body);
  response.prepare_payload();
  return response;
}

Response error_response(bhttp::status status, std::string_view code, std::string_view message) {
  return json_response(status, boost::json::object{{"error", message}, {"code", code}});
}

Response error_response(bhttp::status status, std::string_view code, std::string_view message,
                        std::string_view field) {
  return json_response(status, boost::json::object{{"error", message}, {"code", code}, {"field", field}});
}

}  // namespace peerdrop::http
