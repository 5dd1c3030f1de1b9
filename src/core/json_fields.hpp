#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace peerdrop::core {

// Reading untrusted JSON, the same way everywhere (the UI's messages, the
// settings, relay grants): parse with a depth limit and no exceptions, then
// check each field's presence and type before use. A field that is absent
// or of another type reads as nothing.

// Errc::malformed if `text` is not JSON or nests deeper than `max_depth`.
boost::system::result<boost::json::value> parse_json(std::string_view text, std::size_t max_depth,
                                                     boost::json::storage_ptr storage = {});

const boost::json::string* string_field(const boost::json::object& object, std::string_view key);
const boost::json::object* object_field(const boost::json::object& object, std::string_view key);
const boost::json::array* array_field(const boost::json::object& object, std::string_view key);
std::optional<bool> bool_field(const boost::json::object& object, std::string_view key);
// A signed 64-bit integer (a JSON number without fraction that fits).
std::optional<std::int64_t> int_field(const boost::json::object& object, std::string_view key);
// A whole number from 0 to `max`.
std::optional<std::uint64_t> whole_field(const boost::json::object& object, std::string_view key, std::uint64_t max);

}  // namespace peerdrop::core
