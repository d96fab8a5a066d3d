#include "gateway/redis/connection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <functional>
#include <thread>

#include "tests/support/redis_server.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

class redis_connection_test : public ::testing::Test {
 protected:
  void connect(redis_config cfg = {}) {
    cfg.port = static_cast<std::uint16_t>(redis.port());
    cfg.reconnect_min = 20ms;
    cfg.reconnect_max = 200ms;
    cfg_ = cfg;
    conn = std::make_unique<redis::redis_connection>(io, cfg_, stats);
    conn->start();
  }
  ~redis_connection_test() override {
    if (conn) conn->stop();
    io.run_for(50ms);
  }
  /// Runs the event loop until `done()` or the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io.run_one_for(10ms);
    }
    return true;
  }
  redis::redis_result run(std::initializer_list<std::string_view> args) {
    std::vector<std::string> owned(args.begin(), args.end());
    std::optional<redis::redis_result> out;
    net::co_spawn(io, [&]() -> net::awaitable<void> {
      std::vector<std::string_view> v(owned.begin(), owned.end());
      out = co_await conn->command(v);
    }, net::detached);
    EXPECT_TRUE(run_until([&] { return out.has_value(); }));
    return out.value_or(redis::redis_result{});
  }

  test::redis_server redis;
  net::io_context io;
  redis::redis_stats stats;
  redis_config cfg_;
  std::unique_ptr<redis::redis_connection> conn;
};

TEST_F(redis_connection_test, ten_thousand_pipelined_commands) {
  redis_config cfg;
  cfg.max_inflight = 20'000;
  connect(cfg);
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  std::vector<long long> got;
  constexpr int n = 10'000;
  for (int i = 0; i < n; ++i)
    net::co_spawn(io, [&]() -> net::awaitable<void> {
      std::string_view incr[] = {"INCR", "counter"};
      auto r = co_await conn->command(incr);
      got.push_back(r.ec ? -1 : r.reply.integer);
    }, net::detached);
  std::uint64_t peak = 0;
  ASSERT_TRUE(run_until([&] {
    peak = std::max(peak, stats.inflight.get());
    return got.size() == n;
  }, 30s));
  std::sort(got.begin(), got.end());
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], i + 1);
  EXPECT_GT(peak, 1000u) << "commands were not pipelined";
  EXPECT_EQ(redis.cli({"GET", "counter"}), "10000");
  EXPECT_EQ(stats.inflight.get(), 0u);
}

TEST_F(redis_connection_test, evalsha_recovers_after_script_flush) {
  connect();
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  auto call = [&] {
    std::optional<redis::redis_result> out;
    net::co_spawn(io, [&]() -> net::awaitable<void> { out = co_await conn->eval(redis::script::server_time, {}, {}); },
                  net::detached);
    EXPECT_TRUE(run_until([&] { return out.has_value(); }));
    return *out;
  };
  auto a = call();
  ASSERT_FALSE(a.ec) << a.reply.str;
  EXPECT_GT(a.reply.integer, 1'700'000'000'000LL);
  EXPECT_EQ(redis.cli({"SCRIPT", "FLUSH"}), "OK");
  auto b = call();
  ASSERT_FALSE(b.ec) << b.reply.str;
  EXPECT_GE(b.reply.integer, a.reply.integer);
  EXPECT_EQ(stats.script_reloads.get(), 1u);
}

TEST_F(redis_connection_test, reconnects_after_redis_restarts) {
  connect();
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  ASSERT_FALSE(run({"SET", "k", "v"}).ec);
  redis.stop();
  ASSERT_TRUE(run_until([&] { return !conn->ready(); }));
  auto down = run({"GET", "k"});
  EXPECT_EQ(down.ec, redis::redis_errc::unavailable);
  redis.start();
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  auto up = run({"PING"});
  ASSERT_FALSE(up.ec);
  EXPECT_EQ(up.reply.str, "PONG");
  EXPECT_GE(stats.reconnects.get(), 1u);
}

TEST_F(redis_connection_test, command_timeout_reports_unknown_outcome_and_keeps_replies_in_step) {
  redis_config cfg;
  cfg.command_timeout = 150ms;
  connect(cfg);
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  EXPECT_EQ(redis.cli({"CLIENT", "PAUSE", "700"}), "OK");
  auto slow = run({"SET", "paused", "1"});
  EXPECT_EQ(slow.ec, redis::redis_errc::timeout);
  EXPECT_TRUE(slow.outcome_unknown());
  std::this_thread::sleep_for(800ms);
  // The late reply to SET is discarded; each later command still gets its own reply.
  auto echo = run({"ECHO", "mine"});
  ASSERT_FALSE(echo.ec);
  EXPECT_EQ(echo.reply.str, "mine");
  EXPECT_EQ(run({"GET", "paused"}).reply.str, "1");  // it did run: the outcome was truly unknown
  EXPECT_EQ(stats.errors_timeout.get(), 1u);
}

TEST_F(redis_connection_test, lost_connection_means_outcome_unknown) {
  connect();
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  std::optional<redis::redis_result> out;
  net::co_spawn(io, [&]() -> net::awaitable<void> {
    std::string_view blpop[] = {"BLPOP", "nothing", "5"};
    out = co_await conn->command(blpop);
  },
                net::detached);
  io.run_for(100ms);
  redis.cli({"CLIENT", "KILL", "TYPE", "normal"});
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  EXPECT_EQ(out->ec, redis::redis_errc::lost);
  EXPECT_TRUE(out->outcome_unknown());
}

TEST_F(redis_connection_test, in_flight_bound_pushes_back) {
  redis_config cfg;
  cfg.max_inflight = 5;
  connect(cfg);
  ASSERT_TRUE(run_until([&] { return conn->ready(); }));
  int overloaded = 0, ok = 0;
  for (int i = 0; i < 10; ++i)
    net::co_spawn(io, [&]() -> net::awaitable<void> {
      std::string_view blpop[] = {"BLPOP", "nothing", "0.2"};
      auto r = co_await conn->command(blpop);
      (r.ec == redis::redis_errc::overloaded ? overloaded : ok)++;
    }, net::detached);
  ASSERT_TRUE(run_until([&] { return overloaded + ok == 10; }));
  EXPECT_EQ(overloaded, 5);
  EXPECT_EQ(ok, 5);
}

TEST_F(redis_connection_test, nothing_listening_is_unavailable_not_a_hang) {
  redis.stop();
  connect();
  auto r = run({"PING"});
  EXPECT_EQ(r.ec, redis::redis_errc::unavailable);
  EXPECT_FALSE(r.outcome_unknown());
}

}  // namespace
}  // namespace guichet
