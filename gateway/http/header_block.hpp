#pragma once
#include <cstddef>
#include <string_view>

namespace guichet::http {

/// What the bytes received so far say about the first request's header block (request line and
/// fields, up to the empty line). Beast accepts obsolete line folding (a field line continued by
/// a line starting with a space or tab) and joins it; a proxy in front may read it differently,
/// so RFC 9112 5.2 lets the origin refuse it, and 2.2 says the same of whitespace before the
/// first field. Both look the same in the bytes: CRLF followed by SP or HTAB.
struct header_block {
  bool complete = false;  ///< the empty line that ends it has arrived
  bool folded = false;    ///< a line in it starts with whitespace: refuse with 400 and close
};

/// Scans `bytes` from `from` (a resume point: where the last scan stopped looking). Leading
/// empty lines before the request line are skipped, as RFC 9112 2.2 allows. A bare LF ends the
/// scan as complete: Beast's parser refuses it, with a 400, straight away.
inline header_block scan_header_block(std::string_view bytes, std::size_t& from) {
  std::size_t i = from;
  if (i == 0)
    while (i + 1 < bytes.size() && bytes[i] == '\r' && bytes[i + 1] == '\n') i += 2;
  for (auto p = bytes.find('\n', i); p != std::string_view::npos; p = bytes.find('\n', p + 1)) {
    if (p == 0 || bytes[p - 1] != '\r') return {.complete = true};
    if (p + 1 >= bytes.size()) {
      from = p;
      return {};
    }
    char c = bytes[p + 1];
    if (c == ' ' || c == '\t') return {.complete = true, .folded = true};
    if (c == '\r') {
      if (p + 2 >= bytes.size()) {
        from = p;
        return {};
      }
      if (bytes[p + 2] == '\n') return {.complete = true};
    }
  }
  from = bytes.size() > i ? bytes.size() : i;
  return {};
}

}  // namespace guichet::http
