#include "gateway/server/server.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <fstream>
#include <future>
#include <thread>

#include "gateway/ops/routes.hpp"
#include "gateway/http/reply.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_gateway.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::http_client;
using test::json_field;

// The ops routes plus three routes that exercise the server's policies.
server::route_table routes_for_tests() {
  server::route_table t;
  ops::add_ops_routes(t);
  t.add(http::verb::post, "/test/echo", "test_echo", {.max_body = 64, .json_body = true},
        [](server::request_context& c) -> net::awaitable<http::reply> {
          co_return http::json_response(c.req.version(), http::status::ok, c.req.body());
        });
  t.add(http::verb::post, "/test/door", "test_door", {.max_body = 1, .door = true},
        [](server::request_context& c) -> net::awaitable<http::reply> {
          co_return http::json_response(c.req.version(), http::status::ok, R"({"in":true})");
        });
  t.add(http::verb::get, "/test/slow", "test_slow", {}, [](server::request_context& c) -> net::awaitable<http::reply> {
    net::steady_timer t(co_await net::this_coro::executor, 400ms);
    co_await t.async_wait(net::use_awaitable);
    co_return http::json_response(c.req.version(), http::status::ok, R"({"slow":true})");
  });
  t.add(http::verb::get, "/test/time", "test_time", {.needs_redis = true},
        [](server::request_context& c) -> net::awaitable<http::reply> {
          auto r = co_await c.w.redis->eval(redis::script::server_time, {}, {});
          if (r.ec) co_return http::error_response(c.req.version(), errc::unavailable);
          co_return http::json_response(c.req.version(), http::status::ok, std::to_string(r.reply.integer));
        });
  return t;
}

class server_test : public ::testing::Test {
 protected:
  void start(config cfg) {
    gw = std::make_unique<test::test_gateway>(cfg, routes_for_tests());
    ASSERT_TRUE(wait_ready(true));
  }
  void start() { start(base()); }
  config base() {
    auto c = test::test_config(redis.port());
    c.timeouts.header = 400ms;
    c.timeouts.body = 400ms;
    c.timeouts.idle = 5s;
    return c;
  }
  bool wait_ready(bool want, std::chrono::seconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      http_client c(gw->port());
      auto r = c.request("GET", "/readyz");
      if (r && (r->status == 200) == want) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  test::redis_server redis;
  std::unique_ptr<test::test_gateway> gw;
};

TEST_F(server_test, keep_alive_serves_many_requests_on_one_connection) {
  start();
  http_client c(gw->port());
  for (int i = 0; i < 20; ++i) {
    auto r = c.request("GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"status":"ok"})");
    EXPECT_EQ(r->header("content-type"), "application/json");
  }
}

// A connection just answered waits for its next request with its read buffer (no system call
// to wait), at most 256 per worker; quiet past half a second, or beyond those 256, it waits
// without one. Every path serves the next request: 600 connections (more than the 2 workers
// keep lingering), each asked again at once, then again after a second of quiet.
TEST_F(server_test, a_connection_is_served_again_whether_it_waited_with_its_buffer_or_without) {
  start();
  std::vector<std::unique_ptr<http_client>> cs;
  for (int i = 0; i < 600; ++i) {
    cs.push_back(std::make_unique<http_client>(gw->port()));
    auto r = cs.back()->request("GET", "/healthz");
    ASSERT_TRUE(r && r->status == 200) << i;
  }
  for (int round = 0; round < 2; ++round) {
    if (round == 1) std::this_thread::sleep_for(1s);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      auto r = cs[i]->request("GET", "/healthz");
      ASSERT_TRUE(r) << "round " << round << ", connection " << i;
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, R"({"status":"ok"})");
    }
  }
}

TEST_F(server_test, pipelined_requests_are_answered_in_order) {
  start();
  http_client c(gw->port());
  ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                         "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
                         "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto a = c.read(), b = c.read(), d = c.read(), e = c.read();
  ASSERT_TRUE(a && b && d && e);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 404);
  EXPECT_EQ(d->status, 200);
  EXPECT_EQ(d->body, R"({"a":1})");
  EXPECT_EQ(e->status, 200);
}

TEST_F(server_test, error_statuses_have_stable_codes) {
  start();
  auto expect = [&](const std::string& raw, int status, const std::string& code) {
    http_client c(gw->port());
    ASSERT_TRUE(c.send_raw(raw));
    auto r = c.read();
    ASSERT_TRUE(r) << code;
    EXPECT_EQ(r->status, status) << code;
    EXPECT_NE(r->body.find("\"code\":\"" + code + "\""), std::string::npos) << r->body;
    return;
  };
  expect("BOGUS\r\n\r\n", 400, "bad_request");
  expect("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found");
  expect("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi", 415,
         "unsupported_media_type");
  expect("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 65\r\n\r\n" +
             std::string(65, 'x'),
         413, "body_too_large");
  expect("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n", 431,
         "headers_too_large");
  expect("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n", 400, "bad_request");

  http_client c(gw->port());
  auto r = c.request("POST", "/healthz");  // POST exists (on /test/echo), not here
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET");
  EXPECT_NE(r->body.find("\"method_not_allowed\""), std::string::npos);
}

// Request smuggling behind a CDN (RFC 9112 6.1, 6.3): when the final transfer coding of a request
// is not chunked its length cannot be known; reading it as bodyless would serve the bytes after
// it as a second request that the proxy in front never saw. Answer 400 and close.
TEST_F(server_test, a_request_whose_final_transfer_coding_is_not_chunked_is_refused_and_closed) {
  start();
  for (const std::string te : {"xchunked", "gzip", "chunked, gzip", "identity"}) {
    http_client c(gw->port());
    ASSERT_TRUE(c.send_raw("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: " + te + "\r\n\r\n"
                           "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << te;
    EXPECT_EQ(r->status, 400) << te << ": " << r->body;
    EXPECT_NE(r->body.find("\"bad_request\""), std::string::npos) << r->body;
    EXPECT_TRUE(c.closed_by_peer()) << te << ": the smuggled request after it must not be served";
  }
  // Chunked as the final coding is the one framing the gateway reads: the body arrives whole.
  http_client c(gw->port());
  ASSERT_TRUE(c.send_raw("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"a":1})");
}

// [server] ops_port: /metrics (and /admin/*) move to their own listener; to the public port they
// do not exist; the probes answer on both; fan routes are not on the ops listener.
TEST_F(server_test, a_separate_ops_listener_takes_metrics_off_the_public_port) {
  auto cfg = base();
  cfg.server.ops_port = 0;
  start(cfg);
  const int ops = gw->srv.ops_port();
  ASSERT_GT(ops, 0);
  ASSERT_NE(ops, gw->port());
  auto ask = [](int port, const std::string& method, const std::string& path) {
    http_client c(port);
    auto r = c.request(method, path, method == "POST" ? "{}" : "", method == "POST" ? "Content-Type: application/json\r\n" : "");
    return r ? r->status : 0;
  };
  EXPECT_EQ(ask(gw->port(), "GET", "/metrics"), 404);
  EXPECT_EQ(ask(gw->port(), "POST", "/metrics"), 404);  // not 405: the route is not there at all
  EXPECT_EQ(ask(ops, "GET", "/metrics"), 200);
  EXPECT_EQ(ask(gw->port(), "GET", "/healthz"), 200);
  EXPECT_EQ(ask(ops, "GET", "/healthz"), 200);
  EXPECT_EQ(ask(ops, "GET", "/readyz"), 200);
  EXPECT_EQ(ask(gw->port(), "POST", "/test/echo"), 200);
  EXPECT_EQ(ask(ops, "POST", "/test/echo"), 404);
}

TEST_F(server_test, without_an_ops_listener_metrics_stay_on_the_public_port) {
  start();
  EXPECT_EQ(gw->srv.ops_port(), 0);
  http_client c(gw->port());
  auto r = c.request("GET", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(server_test, incomplete_request_gets_408_and_is_closed) {
  start();
  http_client c(gw->port());
  ASSERT_TRUE(c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // no blank line: never ends
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find("request_timeout"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(server_test, slow_header_sender_is_closed_at_the_deadline) {
  start();
  http_client c(gw->port());
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  auto t0 = std::chrono::steady_clock::now();
  bool refused = false;
  for (char ch : req) {  // one byte every 50 ms: 4 s for the whole request, the deadline is 400 ms
    if (!c.send_raw(std::string(1, ch))) {
      refused = true;
      break;
    }
    if (std::chrono::steady_clock::now() - t0 > 3s) break;
    std::this_thread::sleep_for(50ms);
  }
  auto r = c.read();
  // Either the 408 arrived or the socket was already shut: never a 200.
  if (r) {
    EXPECT_EQ(r->status, 408);
  }
  EXPECT_TRUE(refused || !r || r->status == 408);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3500ms);
}

TEST_F(server_test, a_thousand_idle_connections_do_not_block_others) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  ASSERT_GE(rl.rlim_cur, 2200u) << "raise the open-file limit to run this test";
  start();
  std::vector<std::unique_ptr<http_client>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<http_client>(gw->port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  idle[0]->send_raw("GET /healthz HTTP/1.1\r\nHost: x");  // one of them half-way through a request
  for (int i = 0; i < 20; ++i) {
    http_client c(gw->port());
    auto r = c.request("GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  http_client m(gw->port());
  auto metrics = m.request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("guichet_http_connections_open 10"), std::string::npos);
}

TEST_F(server_test, connection_limit_answers_503) {
  auto cfg = base();
  cfg.server.max_connections = 3;
  start(cfg);
  // Wait until the readiness probes' connections are gone: only then are 3 places free.
  for (int i = 0; i < 200 && gw->srv.open_connections().load() != 0; ++i) std::this_thread::sleep_for(10ms);
  auto a = std::make_unique<http_client>(gw->port());
  http_client b(gw->port()), c(gw->port());
  ASSERT_EQ(a->request("GET", "/healthz")->status, 200);
  ASSERT_EQ(b.request("GET", "/healthz")->status, 200);
  ASSERT_EQ(c.request("GET", "/healthz")->status, 200);
  http_client d(gw->port());
  auto r = d.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("too_many_connections"), std::string::npos);
  // Written like every other answer: dated, never cached, with the security headers, and it
  // says the connection closes.
  EXPECT_FALSE(r->header("date").empty());
  EXPECT_EQ(r->header("cache-control"), "private, no-store");
  EXPECT_NE(r->header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(r->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_EQ(r->header("retry-after"), "1");
  // And counted by its code, from the value the answer carries.
  a.reset();
  for (int i = 0; i < 200 && gw->srv.open_connections().load() > 2; ++i) std::this_thread::sleep_for(10ms);
  http_client m(gw->port());
  auto metrics = m.request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("guichet_http_connections_rejected_total 1"), std::string::npos);
  EXPECT_NE(metrics->body.find(R"(guichet_http_errors_total{route="unmatched",code="too_many_connections"} 1)"),
            std::string::npos);
}

TEST_F(server_test, per_ip_rate_limit_answers_429_with_retry_after) {
  auto cfg = base();
  cfg.limits.per_ip_rate = 1;
  cfg.limits.per_ip_burst = 3;
  start(cfg);
  http_client c(gw->port());
  int ok = 0, limited = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = c.request("GET", "/test/nothing");
    ASSERT_TRUE(r);
    if (r->status == 404) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_EQ(r->header("retry-after"), "1");
      EXPECT_NE(r->body.find("rate_limited"), std::string::npos);
    }
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(limited, 3);
  // Probes and scrapes are not metered.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.request("GET", "/readyz")->status, 200);
}

TEST_F(server_test, forwarded_clients_behind_a_trusted_proxy_get_their_own_budget) {
  auto cfg = base();
  cfg.limits.per_ip_rate = 1;
  cfg.limits.per_ip_burst = 1;
  cfg.trusted_proxies = {*parse_cidr("127.0.0.1")};
  start(cfg);
  http_client c(gw->port());
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("GET", "/test/nothing", {}, "X-Forwarded-For: 198.51.100." + std::to_string(i) + "\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << i;
  }
  auto again = c.request("GET", "/test/nothing", {}, "X-Forwarded-For: 198.51.100.0\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 429);
}

// The door (join, register) has its own per-client budget, on by default; a client is what the
// trusted proxies say it is (never what an untrusted peer claims), an IPv4 address or an IPv6 /64.
class door_test : public server_test {
 protected:
  config door(std::vector<cidr> trusted = {}) {
    auto cfg = base();
    cfg.limits.door_per_ip_rate = 1;
    cfg.limits.door_per_ip_burst = 3;
    cfg.trusted_proxies = std::move(trusted);
    return cfg;
  }
  int knock(http_client& c, const std::string& xff = {}) {
    auto r = c.request("POST", "/test/door", {}, xff.empty() ? "" : "X-Forwarded-For: " + xff + "\r\n");
    if (r && r->status == 429) {
      EXPECT_EQ(json_field(r->body, "code"), "rate_limited");
      EXPECT_FALSE(r->header("retry-after").empty());
    }
    return r ? r->status : 0;
  }
};

TEST(door_defaults, the_door_budget_is_on_out_of_the_box) {
  config c;
  EXPECT_EQ(c.limits.door_per_ip_rate, 10u);
  EXPECT_EQ(c.limits.door_per_ip_burst, 30u);
  auto parsed = parse_config("", "empty.toml");
  ASSERT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.value.limits.door_per_ip_rate, 10u);
}

TEST_F(door_test, the_door_is_metered_per_client_and_the_rest_is_not) {
  start(door());
  http_client c(gw->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(knock(c), 200) << i;
  EXPECT_EQ(knock(c), 429);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(c.request("GET", "/test/nothing")->status, 404) << "other routes are not the door";
}

TEST_F(door_test, a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing) {
  start(door());  // no trusted proxy: the peer (127.0.0.1) is the client, whatever it claims
  http_client c(gw->port());
  int limited = 0;
  for (int i = 0; i < 6; ++i) limited += knock(c, "198.51.100." + std::to_string(i) + ", 2001:db8:" + std::to_string(i) + "::1") == 429;
  EXPECT_EQ(limited, 3);
}

TEST_F(door_test, behind_a_trusted_proxy_ipv4_clients_and_ipv6_slash_64s_have_their_own_budget) {
  start(door({*parse_cidr("127.0.0.1/32"), *parse_cidr("10.0.0.0/8")}));
  http_client c(gw->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(knock(c, "2001:db8:1:2::" + std::to_string(i + 1)), 200);
  EXPECT_EQ(knock(c, "2001:db8:1:2:ffff:ffff:ffff:ffff"), 429) << "another address in the same /64 is the same client";
  EXPECT_EQ(knock(c, "2001:db8:1:3::1"), 200) << "the next /64 is another client";
  EXPECT_EQ(knock(c, "198.51.100.7"), 200);
  EXPECT_EQ(knock(c, "198.51.100.8"), 200) << "IPv4 clients are whole addresses";
  // The client is the rightmost address that is not a trusted proxy: what a bot writes to the
  // left of it, and the trusted hops to its right, change nothing.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(knock(c, "203.0.113." + std::to_string(i) + ", 2001:db8:9::1, 10.1.1.1"), 200);
  EXPECT_EQ(knock(c, "203.0.113.99, 2001:db8:9::1, 10.2.2.2"), 429);
  EXPECT_EQ(knock(c, "garbage, 2001:db8:9::1"), 429) << "unparseable hops to the left stop the walk at the client";
}

TEST_F(server_test, readyz_follows_redis_and_redis_routes_answer_503_while_it_is_down) {
  start();
  ASSERT_TRUE(wait_ready(true));
  http_client c(gw->port());
  auto t = c.request("GET", "/test/time");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, 200);

  redis.stop();
  ASSERT_TRUE(wait_ready(false));
  http_client d(gw->port());
  auto down = d.request("GET", "/test/time");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(down->header("retry-after"), "1");
  auto health = d.request("GET", "/healthz");  // what needs no Redis keeps working
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  redis.start();
  ASSERT_TRUE(wait_ready(true));
  http_client e(gw->port());
  auto back = e.request("GET", "/test/time");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200);
}

TEST_F(server_test, drain_finishes_the_in_flight_request_and_refuses_new_ones) {
  start();
  http_client idle(gw->port());
  ASSERT_TRUE(idle.request("GET", "/healthz"));
  http_client c(gw->port());
  ASSERT_TRUE(c.send_raw("GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(100ms);
  auto drained = std::async(std::launch::async, [&] { gw->srv.drain(); });
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"slow":true})");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(idle.closed_by_peer());
  drained.get();
  http_client late(gw->port());
  EXPECT_FALSE(late.connected() && late.request("GET", "/healthz"));
}

TEST_F(server_test, metrics_pass_promtool) {
  start();
  {
    http_client c(gw->port());
    c.request("GET", "/healthz");
    c.request("GET", "/nope");
    c.request("GET", "/test/time");
  }
  http_client c(gw->port());
  auto r = c.request("GET", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("guichet_http_requests_total{route=\"healthz\",status=\"200\"} 1"), std::string::npos);
  EXPECT_NE(r->body.find("guichet_http_requests_total{route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(r->body.find("guichet_redis_connected 2"), std::string::npos);
  std::string path = ::testing::TempDir() + "/metrics-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << r->body;
  std::string cmd = "promtool check metrics < " + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  std::string out;
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace guichet
