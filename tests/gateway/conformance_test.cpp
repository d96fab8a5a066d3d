// HTTP/1.1 conformance where a proxy (the CDN, the load balancer) and the origin must agree: each
// case names the RFC section it checks. Disagreement on where a request ends is how requests get
// smuggled; disagreement on what a request is for is how caches get poisoned.
#include <gtest/gtest.h>

#include <thread>

#include "gateway/ops/routes.hpp"
#include "gateway/http/reply.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_gateway.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::http_client;

class conformance_test : public ::testing::Test {
 protected:
  conformance_test() {
    server::route_table t;
    ops::add_ops_routes(t);
    t.add(http::verb::post, "/test/echo", "test_echo", {.max_body = 64, .json_body = true},
          [](server::request_context& c) -> net::awaitable<http::reply> {
            co_return http::json_response(c.req.version(), http::status::ok, c.req.body());
          });
    gw = std::make_unique<test::test_gateway>(test::test_config(redis.port()), std::move(t));
  }
  /// Sends raw bytes; the first answer, and (when asked) whether the server then closed.
  std::pair<std::optional<test::http_reply>, bool> exchange(const std::string& raw, bool check_close = false) {
    http_client c(gw->port(), 2s);
    EXPECT_TRUE(c.send_raw(raw));
    auto r = c.read();
    bool closed = check_close && r && c.closed_by_peer();
    return {r, closed};
  }
  test::redis_server redis;
  std::unique_ptr<test::test_gateway> gw;
};

// RFC 9112 6.1, 6.3 (3): Transfer-Encoding whose final coding is not chunked: length unknown.
TEST_F(conformance_test, rfc9112_6_3_final_transfer_coding_not_chunked_is_400_and_close) {
  for (std::string te : {"gzip", "xchunked", "chunked, identity"}) {
    auto [r, closed] = exchange("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Transfer-Encoding: " + te + "\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
                                true);
    ASSERT_TRUE(r) << te;
    EXPECT_EQ(r->status, 400) << te;
    EXPECT_TRUE(closed) << te;
  }
}

// RFC 9112 6.3 (3): Transfer-Encoding and Content-Length together: refused, never guessed.
TEST_F(conformance_test, rfc9112_6_3_transfer_encoding_with_content_length_is_400_and_close) {
  auto [r, closed] = exchange("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                              true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(closed);
}

// RFC 9112 6.3 (5): two different Content-Length values.
TEST_F(conformance_test, rfc9112_6_3_conflicting_content_lengths_are_400) {
  auto [r, closed] = exchange("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(closed);
}

// RFC 9112 3.2: a client MUST send Host in HTTP/1.1; a server MUST answer 400 to a request
// without it or with more than one.
TEST_F(conformance_test, rfc9112_3_2_missing_or_repeated_host_is_400) {
  for (std::string headers : {"", "Host: a\r\nHost: b\r\n"}) {
    auto [r, closed] = exchange("GET /healthz HTTP/1.1\r\n" + headers + "\r\n");
    ASSERT_TRUE(r) << headers;
    EXPECT_EQ(r->status, 400) << headers;
    EXPECT_NE(r->body.find("\"bad_request\""), std::string::npos);
  }
  // HTTP/1.0 has no Host requirement.
  auto [r, closed] = exchange("GET /healthz HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// RFC 9112 5.2: obsolete line folding (a field line continued on a line that starts with a space
// or tab) is refused, not joined; 2.2: so is whitespace between the request line and the first
// field. Both whether the fold arrives in the first segment or in a later one.
TEST_F(conformance_test, rfc9112_5_2_obs_fold_and_leading_whitespace_are_400_and_close) {
  for (std::string raw : {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
                          "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n",
                          "GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n"}) {
    auto [r, closed] = exchange(raw + "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", true);
    ASSERT_TRUE(r) << raw;
    EXPECT_EQ(r->status, 400) << raw;
    EXPECT_NE(r->body.find("\"bad_request\""), std::string::npos) << r->body;
    EXPECT_TRUE(closed) << raw;
  }
  http_client c(gw->port(), 2s);
  ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(c.send_raw("\n"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(c.send_raw(" b\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.closed_by_peer());
  // A header block that arrives a few bytes at a time, unfolded, is served.
  http_client d(gw->port(), 2s);
  for (std::string part : {"GET /hea", "lthz HTTP/1.1\r", "\nHost: x\r\n", "\r", "\n"}) {
    ASSERT_TRUE(d.send_raw(part));
    std::this_thread::sleep_for(20ms);
  }
  auto ok = d.read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

// RFC 9112 3.2.2: a server MUST accept the absolute form; it is routed by its path.
TEST_F(conformance_test, rfc9112_3_2_2_absolute_form_is_routed_like_origin_form) {
  auto [r, closed] = exchange("GET http://gateway.example/healthz HTTP/1.1\r\nHost: gateway.example\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto [q, c2] = exchange("GET https://gateway.example/readyz?x=1 HTTP/1.1\r\nHost: gateway.example\r\n\r\n");
  ASSERT_TRUE(q);
  EXPECT_NE(q->status, 404) << q->body;
}

// RFC 9110 9.1, 15.6.2: a method the server does not implement anywhere is 501; one it implements
// elsewhere but not on this resource is 405 with Allow (15.5.6) — consistently, on any path.
TEST_F(conformance_test, rfc9110_9_1_unknown_methods_are_501_known_ones_elsewhere_405) {
  for (std::string path : {"/healthz", "/nope"}) {
    auto [r, closed] = exchange("BREW " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 501) << path;
    EXPECT_NE(r->body.find("\"not_implemented\""), std::string::npos) << r->body;
  }
  auto [r, closed] = exchange("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET");
}

// RFC 9110 6.6.1: an origin server with a clock MUST send Date in every 2xx, 3xx and 4xx answer
// (and may in 5xx; guichet does): on routed answers, errors, and prebuilt bytes alike.
TEST_F(conformance_test, rfc9110_6_6_1_every_answer_carries_date) {
  for (std::string raw : {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
                          "GET /healthz HTTP/1.0\r\n\r\n", "BOGUS\r\n\r\n"}) {
    auto [r, closed] = exchange(raw);
    ASSERT_TRUE(r) << raw;
    auto d = r->header("date");
    EXPECT_EQ(d.size(), 29u) << raw << ": '" << d << "'";
    EXPECT_NE(d.find(" GMT"), std::string::npos) << d;
  }
}

}  // namespace
}  // namespace guichet
