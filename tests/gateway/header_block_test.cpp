#include "gateway/http/header_block.hpp"

#include <gtest/gtest.h>

#include <string>

namespace guichet {
namespace {

http::header_block scan(std::string_view s) {
  std::size_t from = 0;
  return http::scan_header_block(s, from);
}

TEST(header_block, complete_only_at_the_empty_line) {
  EXPECT_FALSE(scan("GET / HTTP/1.1\r\nHost: x\r\n").complete);
  EXPECT_FALSE(scan("GET / HTTP/1.1\r\nHost: x\r\n\r").complete);
  auto b = scan("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(b.complete);
  EXPECT_FALSE(b.folded);
  // Leading empty lines are not the end (RFC 9112 2.2 lets a server skip them).
  EXPECT_FALSE(scan("\r\n\r\nGET / HTTP/1.1\r\n").complete);
  EXPECT_TRUE(scan("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").complete);
}

TEST(header_block, a_line_starting_with_whitespace_is_folded) {
  EXPECT_TRUE(scan("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n").folded);
  EXPECT_TRUE(scan("GET / HTTP/1.1\r\nX-A: a\r\n\tb").folded);          // seen before the end arrives
  EXPECT_TRUE(scan("GET / HTTP/1.1\r\n Host: x\r\n\r\n").folded);      // whitespace before the first field
  EXPECT_FALSE(scan("GET / HTTP/1.1\r\nHost: x\r\n\r\n b").folded);    // after the block: a body's bytes
}

TEST(header_block, a_bare_lf_is_left_to_the_parser) {
  EXPECT_TRUE(scan("GET / HTTP/1.1\nHost: x\n\n").complete);
}

TEST(header_block, resumes_where_it_stopped_whatever_the_segmentation) {
  const std::string whole = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n";
  const std::string plain = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\r\n";
  for (const auto* s : {&whole, &plain}) {
    for (std::size_t step = 1; step <= 5; ++step) {
      std::size_t from = 0;
      http::header_block b;
      std::size_t n = 0;
      while (!b.complete && n < s->size()) {
        n = std::min(s->size(), n + step);
        b = http::scan_header_block(std::string_view(*s).substr(0, n), from);
      }
      EXPECT_TRUE(b.complete) << step;
      EXPECT_EQ(b.folded, s == &whole) << step;
      // Known as soon as the byte that tells arrives, not later.
      std::size_t tells = s == &whole ? s->find(" b") + 1 : s->size();
      EXPECT_GE(n, tells) << step;
      EXPECT_LT(n, tells + step) << step;
    }
  }
}

}  // namespace
}  // namespace guichet
