#include "core/json_fields.hpp"

#include <boost/json/parse.hpp>

#include "core/errc.hpp"

namespace peerdrop::core {

namespace json = boost::json;

boost::system::result<json::value> parse_json(std::string_view text, std::size_t max_depth,
                                              json::storage_ptr storage) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = max_depth;
  auto value = json::parse(text, ec, std::move(storage), options);
  if (ec) return make_error_code(Errc::malformed);
  return value;
}

const json::string* string_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? &value->get_string() : nullptr;
}

const json::object* object_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

const json::array* array_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_array() ? &value->get_array() : nullptr;
}

std::optional<bool> bool_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_bool()) return std::nullopt;
  return value->get_bool();
}

std::optional<std::int64_t> int_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_int64()) return std::nullopt;
  return value->get_int64();
}

std::optional<std::uint64_t> whole_field(const json::object& object, std::string_view key, std::uint64_t max) {
  const auto* value = object.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_int64() && value->get_int64() >= 0 && static_cast<std::uint64_t>(value->get_int64()) <= max) {
    return static_cast<std::uint64_t>(value->get_int64());
  }
  if (value->is_uint64() && value->get_uint64() <= max) return value->get_uint64();
  return std::nullopt;
}

}  // namespace peerdrop::core
