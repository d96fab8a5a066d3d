#include "gateway/http/head_writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "gateway/http/reply.hpp"
#include "gateway/http/router.hpp"

namespace guichet {
namespace {

std::string json_head(unsigned version, unsigned status, std::string_view cache, std::size_t size, bool keep) {
  std::string out = "(kept)";  // appended to, not replaced
  http::append_json_head(out, version, status, cache, size, keep);
  return out;
}

std::string expected(std::string_view status_line, std::string_view cache, std::string_view connection, std::size_t size) {
  return "(kept)" + std::string(status_line) + "\r\nServer: guichet\r\nContent-Type: application/json\r\nCache-Control: " +
         std::string(cache) + "\r\n" + http::security_header_lines() + std::string(connection) +
         "Content-Length: " + std::to_string(size) + "\r\n\r\n";
}

// The head is built once per kind of answer and reused: every change of kind (status, version,
// cache rule, keep-alive) and back again must still give that kind's own head.
TEST(head_writer, each_kind_of_json_answer_gets_its_own_head_in_any_order) {
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(json_head(11, 200, http::cache_rule::personal, 15, true),
              expected("HTTP/1.1 200 OK", "private, no-store", "", 15));
    EXPECT_EQ(json_head(11, 200, http::cache_rule::personal, 112, true),
              expected("HTTP/1.1 200 OK", "private, no-store", "", 112));
    EXPECT_EQ(json_head(11, 201, http::cache_rule::personal, 0, true),
              expected("HTTP/1.1 201 Created", "private, no-store", "", 0));
    EXPECT_EQ(json_head(11, 200, http::cache_rule::public_1s, 7, true),
              expected("HTTP/1.1 200 OK", "public, max-age=1", "", 7));
    EXPECT_EQ(json_head(11, 200, std::string("public, max-age=1"), 7, false),
              expected("HTTP/1.1 200 OK", "public, max-age=1", "Connection: close\r\n", 7));
    EXPECT_EQ(json_head(10, 200, http::cache_rule::public_1s, 7, true),
              expected("HTTP/1.0 200 OK", "public, max-age=1", "Connection: keep-alive\r\n", 7));
    EXPECT_EQ(json_head(10, 200, http::cache_rule::public_1s, 7, false),
              expected("HTTP/1.0 200 OK", "public, max-age=1", "", 7));
  }
}

}  // namespace
}  // namespace guichet
