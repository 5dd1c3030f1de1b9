#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace peerdrop::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

Response json_response(boost::beast::http::status status, const boost::json::value& body);
// {"error": message, "code": code}: message is for a person, code for a program.
Response error_response(boost::beast::http::status status, std::string_view code, std::string_view message);
// The same with "field": the request field the error concerns (PUT /api/settings).
Response error_response(boost::beast::http::status status, std::string_view code, std::string_view message,
                        std::string_view field);

}  // namespace peerdrop::http
