#pragma once
#include <string>
#include <string_view>

#include "gateway/http/reply.hpp"

namespace guichet::http {

/// The bytes of an answer's head as they go on the wire, written into a reused string (no
/// field allocations, no serializer): the status line, the fields, the Cache-Control the route
/// decides, the security headers, Connection when the connection's fate differs from the
/// version's default, and the empty line. The `Date` line is not here: the write puts the
/// current one after the status line, for every answer alike.

/// The head of a response built with Beast's fields (its Cache-Control and Connection fields are
/// replaced by `cache_control` and `keep`). The body is written after it, as is.
void append_head(std::string& out, const response& res, std::string_view cache_control, bool keep);

/// The head of a JSON answer of `body_size` bytes.
void append_json_head(std::string& out, unsigned version, unsigned status, std::string_view cache_control,
                      std::size_t body_size, bool keep);

}  // namespace guichet::http
