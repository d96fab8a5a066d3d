#pragma once
#include <ctime>
#include <string>
#include <string_view>

namespace guichet::http {

/// The current time as an HTTP-date ("Tue, 24 Nov 2026 22:49:12 GMT", RFC 9110 5.6.7), formatted
/// once per second per thread: every answer carries `Date` (the fans' pages set their countdown by
/// it), and formatting it per request would cost more than the rest of a poll.
inline std::string_view http_date_now() {
  thread_local std::time_t last = 0;
  thread_local char buf[32] = {};
  thread_local std::size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return {buf, len};
}

/// "Date: <HTTP-date>\r\n" for the current second, for answers written from prebuilt bytes.
inline std::string_view http_date_line() {
  thread_local std::string line;
  auto d = http_date_now();
  if (line.size() != d.size() + 8 || line.compare(6, d.size(), d) != 0) line = "Date: " + std::string(d) + "\r\n";
  return line;
}

}  // namespace guichet::http
