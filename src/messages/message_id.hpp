#pragma once

#include <string>
#include <string_view>

namespace peerdrop::messages {

// A new message id: 128 random bits as 32 lowercase hex digits.
std::string make_message_id();

// An id as the protocol allows one from a peer: 16 to 64 characters of [A-Za-z0-9_-].
bool is_valid_message_id(std::string_view id);

}  // namespace peerdrop::messages
