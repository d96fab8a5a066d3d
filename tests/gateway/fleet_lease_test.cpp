// The fleet lease (gateway/server/fleet.hpp) with real guichet processes sharing one Redis, as
// gateways behind a load balancer: one of them holds it and advances the room for all; the
// others serve what it publishes; when the holder is killed another takes over within two
// refresh rounds and the room does not stall.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "core/keys.hpp"
#include "tests/support/guichet_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/redis_server.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::json_int;

constexpr auto kRound = 100ms;  // [rooms] refresh of the gateways below

class fleet_lease : public ::testing::Test {
 protected:
  static constexpr int kGateways = 3;
  void SetUp() override {
    std::time_t start = static_cast<std::time_t>(system_ms() / 1000 - 60);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&start));
    for (int g = 0; g < kGateways; ++g) {
      ports[g] = test::free_port();
      std::string path = ::testing::TempDir() + "/fleet-" + std::to_string(::getpid()) + "-" + std::to_string(g) + ".toml";
      std::ofstream(path) << "[server]\nport = " << ports[g] << "\nthreads = 2\n[redis]\nport = " << redis.port()
                          << "\n[log]\nlevel = \"warn\"\n[rooms]\nrefresh = \"" << kRound.count() << "ms\"\n"
                          << "[secrets]\njwt_key = { env = \"GUICHET_JWT_KEY\" }\n"
                          << "[[tokens.keys]]\nid = \"k1\"\nenv = \"GUICHET_TOKEN_KEY\"\n"
                          << "[editions.ed.phases.open]\nadmit_rate = 50\nmax_active = 100000\n"
                          << "slots = [ { id = \"all\", start = " << ts << ", duration = \"2h\" } ]\n";
      gw[g].start(GUICHET_BINARY, path, {{"GUICHET_JWT_KEY", "fleet-test-jwt-key-0123456789"},
                                         {"GUICHET_TOKEN_KEY", "fleet-test-token-key-01234567"}});
    }
    for (int g = 0; g < kGateways; ++g) ASSERT_TRUE(gw[g].ready(ports[g], 10s)) << "gateway " << g;
  }
  /// Which gateway holds the lease (its value names the holder's pid), or -1.
  int holder() const {
    std::string v = redis.cli({"GET", keys::fleet_lease()});
    for (int g = 0; g < kGateways; ++g)
      if (gw[g].pid() > 0 && v.find(":" + std::to_string(gw[g].pid()) + ":") != std::string::npos) return g;
    return -1;
  }
  long long metric(int g, const std::string& name) {
    test::http_client c(ports[g]);
    auto r = c.request("GET", "/metrics");
    if (!r || r->status != 200) return -1;
    auto p = r->body.find("\n" + name + " ");
    return p == std::string::npos ? -1 : std::stoll(r->body.substr(p + name.size() + 2));
  }
  long long serving(int g) {
    test::http_client c(ports[g]);
    auto r = c.request("GET", "/rooms/ed/open/state");
    return r && r->status == 200 ? json_int(r->body, "serving") : -1;
  }

  test::redis_server redis;
  int ports[kGateways] = {};
  test::guichet_process gw[kGateways];
};

TEST_F(fleet_lease, one_gateway_holds_it_and_every_gateway_serves_the_room_it_advances) {
  int h = -1;
  for (int i = 0; i < 50 && h < 0; ++i, std::this_thread::sleep_for(20ms)) h = holder();
  ASSERT_GE(h, 0) << redis.cli({"GET", keys::fleet_lease()});
  for (int g = 0; g < kGateways; ++g) EXPECT_EQ(metric(g, "guichet_fleet_leader"), g == h ? 1 : 0) << "gateway " << g;
  // 10,000 fans waiting: the room advances at 50 per second, seen alike by every gateway.
  redis.cli({"HINCRBY", keys::room("ed", "open"), "tail", "10000"});
  long long before[kGateways];
  for (int g = 0; g < kGateways; ++g) before[g] = serving(g);
  std::this_thread::sleep_for(1s);
  for (int g = 0; g < kGateways; ++g) {
    long long s = serving(g);
    EXPECT_GE(s - before[g], 30) << "gateway " << g << ": " << before[g] << " -> " << s;
    EXPECT_LE(s - before[g], 70) << "gateway " << g << ": " << before[g] << " -> " << s;
  }
  // Only the holder runs room_refresh: over 2 s the script runs about 2 s / round times, not
  // once per round per worker per gateway (3 x 2 = 6 times as often). The followers are told
  // (Pub/Sub) and send Redis nothing while the holder's renewals keep coming (20 rounds: at most
  // one look of their own each, should a renewal come late).
  long long sent[kGateways];
  for (int g = 0; g < kGateways; ++g) sent[g] = metric(g, "guichet_redis_commands_total");
  redis.cli({"CONFIG", "RESETSTAT"});
  std::this_thread::sleep_for(2s);
  for (int g = 0; g < kGateways; ++g)
    if (g != h) {
      EXPECT_LE(metric(g, "guichet_redis_commands_total") - sent[g], 3) << "follower " << g;
    }
  std::string stats = redis.cli({"INFO", "commandstats"});
  auto p = stats.find("cmdstat_evalsha:calls=");
  ASSERT_NE(p, std::string::npos) << stats;
  long long evals = std::stoll(stats.substr(p + 22));
  // Per round: one room_refresh and the holder's lease renewal.
  EXPECT_LE(evals, 2 * (2000 / kRound.count()) + 6) << stats;
}

TEST_F(fleet_lease, another_gateway_takes_over_within_two_rounds_when_the_holder_is_killed) {
  redis.cli({"HINCRBY", keys::room("ed", "open"), "tail", "10000"});
  int h = -1;
  for (int i = 0; i < 50 && h < 0; ++i, std::this_thread::sleep_for(20ms)) h = holder();
  ASSERT_GE(h, 0);
  gw[h].signal(SIGKILL);
  auto killed = std::chrono::steady_clock::now();
  gw[h].stop();
  int next = -1;
  while (next < 0 && std::chrono::steady_clock::now() - killed < 5s) {
    next = holder();
    if (next < 0) std::this_thread::sleep_for(5ms);
  }
  auto took = std::chrono::steady_clock::now() - killed;
  ASSERT_GE(next, 0) << "nobody took the lease in 5 s";
  EXPECT_NE(next, h);
  // Two rounds after the holder's last renewal at most; a little more for this test's polling.
  EXPECT_LE(took, 2 * kRound + 50ms) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  // The room goes on: the survivors keep advancing it at its rate.
  int other = 3 - h - next;
  long long a = serving(other);
  std::this_thread::sleep_for(1s);
  long long b = serving(other);
  EXPECT_GE(b - a, 30) << a << " -> " << b;
  EXPECT_EQ(metric(next, "guichet_fleet_leader"), 1);
  EXPECT_EQ(metric(other, "guichet_fleet_leader"), 0);
}

TEST_F(fleet_lease, a_draining_holder_lets_go_at_once) {
  int h = -1;
  for (int i = 0; i < 50 && h < 0; ++i, std::this_thread::sleep_for(20ms)) h = holder();
  ASSERT_GE(h, 0);
  gw[h].stop();  // SIGTERM: drains, lets go of the lease, exits
  auto stopped = std::chrono::steady_clock::now();
  int next = -1;
  while (next < 0 && std::chrono::steady_clock::now() - stopped < 5s) {
    next = holder();
    if (next < 0) std::this_thread::sleep_for(5ms);
  }
  ASSERT_GE(next, 0);
  // Taken at the followers' next round, not after the lease's two-round TTL.
  EXPECT_LE(std::chrono::steady_clock::now() - stopped, kRound + 50ms);
}

}  // namespace
}  // namespace guichet
