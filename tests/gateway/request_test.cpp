#include "gateway/http/request.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>

namespace guichet {
namespace {

// Parses `bytes` (a whole header block, maybe a body after it); returns the bytes used.
std::size_t parse(http::request_parser& p, const std::string& bytes, boost::system::error_code& ec) {
  return p.put(boost::asio::buffer(bytes), ec);
}

TEST(request, fields_are_views_of_the_buffer_looked_up_without_case) {
  const std::string bytes =
      "GET /rooms/demo/open/position?x=1 HTTP/1.1\r\nHost: gw\r\nAuthorization:  Bearer abc \r\n"
      "X-Empty:\r\nx-forwarded-for: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\n\r\n";
  http::request_parser p;
  boost::system::error_code ec;
  EXPECT_EQ(parse(p, bytes, ec), bytes.size());
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(p.is_done());
  const http::request& r = p.get();
  EXPECT_EQ(r.method(), http::verb::get);
  EXPECT_EQ(r.target(), "/rooms/demo/open/position?x=1");
  EXPECT_EQ(r.version(), 11u);
  EXPECT_TRUE(r.keep_alive());
  EXPECT_EQ(r[http::field::host], "gw");
  EXPECT_EQ(r[http::field::authorization], "Bearer abc");  // surrounding whitespace trimmed
  EXPECT_EQ(r["authorization"], "Bearer abc");
  EXPECT_EQ(r["X-Forwarded-For"], "1.2.3.4");  // the first of repeated fields
  EXPECT_EQ(r.count(http::field::authorization), 1u);
  EXPECT_EQ(r["X-Empty"], "");
  EXPECT_EQ(r["X-Missing"], "");
  EXPECT_EQ(r.count(http::field::host), 1u);
  EXPECT_EQ(r.count(http::field::cookie), 0u);
  // Views: the target points into the bytes it was parsed from.
  EXPECT_GE(r.target().data(), bytes.data());
  EXPECT_LT(r.target().data(), bytes.data() + bytes.size());
}

TEST(request, an_empty_field_still_counts) {
  const std::string bytes = "GET / HTTP/1.1\r\nHost:\r\nHost: x\r\n\r\n";
  http::request_parser p;
  boost::system::error_code ec;
  parse(p, bytes, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.get().count(http::field::host), 2u);  // refused as a repeated Host by the session
}

// Past the fields the parser indexes (32), a lookup reads the field lines: the same answers.
TEST(request, fields_past_the_index_are_found_and_counted) {
  for (int extra : {0, 31, 32, 33, 60}) {
    std::string bytes = "GET / HTTP/1.1\r\nHost: gw\r\n";
    for (int i = 0; i < extra; ++i) bytes += "X-Filler-" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
    bytes += "Authorization: Bearer late\r\nX-Forwarded-For: 9.9.9.9\r\nHost: again\r\n\r\n";
    http::request_parser p;
    p.header_limit(64 * 1024);
    boost::system::error_code ec;
    parse(p, bytes, ec);
    ASSERT_FALSE(ec) << ec.message();
    const http::request& r = p.get();
    EXPECT_EQ(r[http::field::authorization], "Bearer late") << extra;
    EXPECT_EQ(r["x-forwarded-for"], "9.9.9.9") << extra;
    EXPECT_EQ(r[http::field::host], "gw") << extra;
    EXPECT_EQ(r.count(http::field::host), 2u) << extra;
    EXPECT_EQ(r["X-Filler-" + std::to_string(extra > 0 ? extra - 1 : 0)], extra > 0 ? std::to_string(extra - 1) : "") << extra;
    EXPECT_EQ(r[http::field::cookie], "") << extra;
  }
}

TEST(request, a_request_with_a_body_owns_its_head_and_body) {
  std::string bytes =
      "POST /editions/demo/phases/open/holds HTTP/1.0\r\nHost: gw\r\nContent-Type: application/json\r\n"
      "Idempotency-Key: k-1\r\nContent-Length: 11\r\n\r\n{\"items\":1}";
  http::request_parser p;
  boost::system::error_code ec;
  auto used = parse(p, bytes, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_FALSE(p.is_done());  // the header only: the body is read next
  p.own_head();
  const std::string body = bytes.substr(used);
  std::fill(bytes.begin(), bytes.end(), '#');  // the buffer moves or is reused
  p.put(boost::asio::buffer(body), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(p.is_done());
  const http::request& r = p.get();
  EXPECT_EQ(r.method(), http::verb::post);
  EXPECT_EQ(r.target(), "/editions/demo/phases/open/holds");
  EXPECT_EQ(r.version(), 10u);
  EXPECT_FALSE(r.keep_alive());  // HTTP/1.0 without keep-alive
  EXPECT_EQ(r[http::field::content_type], "application/json");
  EXPECT_EQ(r["Idempotency-Key"], "k-1");
  EXPECT_EQ(r.body(), "{\"items\":1}");
}

TEST(request, chunked_body_is_joined_and_trailers_are_not_fields) {
  const std::string bytes =
      "POST /x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n";
  http::request_parser p;
  boost::system::error_code ec;
  auto used = parse(p, bytes, ec);
  ASSERT_FALSE(ec) << ec.message();
  p.own_head();
  std::string rest = bytes.substr(used);
  while (!p.is_done() && !ec && !rest.empty()) rest.erase(0, p.put(boost::asio::buffer(rest), ec));
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(p.is_done());
  EXPECT_EQ(p.get().body(), "abcde");
  EXPECT_EQ(p.get()["X-Trailer"], "");
  EXPECT_EQ(p.get()[http::field::host], "gw");
}

}  // namespace
}  // namespace guichet
