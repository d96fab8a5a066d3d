// Two real guichet processes sharing one Redis, as two gateways behind a load balancer: the
// outflow is time-based in Redis, so together they admit at the configured rate, in order,
// never above the ceiling.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "core/clock.hpp"
#include "core/keys.hpp"
#include "gateway/server/worker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/jwt_mint.hpp"
#include "tests/support/redis_server.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::json_field;
using test::json_int;

const char* kJwtKey = "two-process-jwt-key-0123456789";

class two_processes : public ::testing::Test {
 protected:
  void launch(int rate, int max_active) {
    std::int64_t now = system_ms();
    std::time_t start = static_cast<std::time_t>(now / 1000 - 60);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&start));
    for (int g = 0; g < 2; ++g) {
      ports[g] = test::free_port();
      std::string path = ::testing::TempDir() + "/two-" + std::to_string(::getpid()) + "-" + std::to_string(g) + ".toml";
      std::ofstream(path) << "[server]\nport = " << ports[g] << "\nthreads = 2\n[limits]\ndoor_per_ip_rate = 0\n[redis]\nport = " << redis.port()
                          << "\n[log]\nlevel = \"warn\"\n[rooms]\nrefresh = \"50ms\"\n[secrets]\njwt_key = { env = \"GUICHET_JWT_KEY\" }\n"
                          << "[[tokens.keys]]\nid = \"k1\"\nenv = \"GUICHET_TOKEN_KEY\"\n"
                          << "[editions.ed.phases.open]\nadmit_rate = " << rate << "\nmax_active = " << max_active
                          << "\nslots = [ { id = \"all\", start = " << ts << ", duration = \"2h\" } ]\n";
      pids[g] = ::fork();
      if (pids[g] == 0) {
        ::setenv("GUICHET_JWT_KEY", kJwtKey, 1);
        ::setenv("GUICHET_TOKEN_KEY", "two-process-token-key-0123456", 1);
        ::execl(GUICHET_BINARY, GUICHET_BINARY, "--config", path.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
      }
    }
    for (int g = 0; g < 2; ++g) {
      bool up = false;
      for (int i = 0; i < 300 && !up; ++i) {
        test::http_client c(ports[g]);
        auto r = c.request("GET", "/rooms/ed/open/state");
        up = r && r->status == 200;
        if (!up) std::this_thread::sleep_for(20ms);
      }
      ASSERT_TRUE(up) << "gateway " << g;
    }
  }
  ~two_processes() override {
    for (int pid : pids)
      if (pid > 0) ::kill(pid, SIGTERM), ::waitpid(pid, nullptr, 0);
  }
  std::string auth(const std::string& t) { return "Authorization: Bearer " + t + "\r\n"; }

  test::redis_server redis;
  int ports[2] = {0, 0};
  int pids[2] = {-1, -1};
};

TEST_F(two_processes, admit_in_order_at_the_rate_never_above_the_ceiling) {
  const int rate = 40, ceiling = 100, fans = 240;
  launch(rate, ceiling);
  std::vector<std::string> tokens(fans);
  std::vector<long long> position(fans);
  for (int i = 0; i < fans; ++i) {
    test::http_client c(ports[i % 2]);
    auto jwt = sign_jwt(kJwtKey, test::claims("p-" + std::to_string(i), system_ms() / 1000 + 600));
    auto r = c.request("POST", "/rooms/ed/open/join", {}, auth(jwt));
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
    tokens[i] = json_field(r->body, "queue_token");
    position[i] = json_int(r->body, "position");
  }
  // The outflow, read through both processes: the serving counter advances at the rate.
  test::http_client s0c(ports[0]), s1c(ports[1]);
  auto t0 = std::chrono::steady_clock::now();
  auto s0 = json_int(s0c.request("GET", "/rooms/ed/open/state")->body, "serving");
  std::this_thread::sleep_for(3s);
  auto s1 = json_int(s1c.request("GET", "/rooms/ed/open/state")->body, "serving");
  double span = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_LT(s1, fans) << "the queue ran dry during the measurement";
  EXPECT_NEAR((s1 - s0) / span, rate, rate * 0.1 + 2 * rate * 0.05 / span) << s0 << " -> " << s1 << " in " << span << " s";

  std::vector<std::chrono::steady_clock::time_point> at(fans);
  std::vector<bool> done(fans);
  int count = 0, full = 0;
  std::size_t worst_active = 0;
  test::http_client c0(ports[0]), c1(ports[1]);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  bool at_ceiling = false;
  while (count < fans && std::chrono::steady_clock::now() < deadline) {
    // Once the ceiling is reached, keep trying for one more second: nobody else may get in.
    if (count == ceiling && !at_ceiling) at_ceiling = true, deadline = std::chrono::steady_clock::now() + 1s;
    auto serving = json_int((count % 2 ? c1 : c0).request("GET", "/rooms/ed/open/state")->body, "serving");
    for (int i = 0; i < fans; ++i) {
      if (done[i] || position[i] >= serving) continue;
      auto r = (i % 2 ? c1 : c0).request("POST", "/rooms/ed/open/admit", {}, auth(tokens[i]));
      ASSERT_TRUE(r);
      if (r->status == 200) done[i] = true, at[i] = std::chrono::steady_clock::now(), ++count;
      else if (json_field(r->body, "code") == "room_full") ++full;
    }
    worst_active = std::max<std::size_t>(worst_active, std::stoul(redis.cli({"ZCARD", keys::active("ed", "open")})));
    std::this_thread::sleep_for(10ms);
  }
  // The ceiling stops the outflow at 100 shoppers (nobody leaves in this test).
  EXPECT_EQ(count, ceiling);
  EXPECT_LE(worst_active, static_cast<std::size_t>(ceiling));
  EXPECT_EQ(redis.cli({"ZCARD", keys::active("ed", "open")}), std::to_string(ceiling));
  // Queue order: the admitted are exactly the first 100 positions.
  for (int i = 0; i < fans; ++i) EXPECT_EQ(done[i], position[i] < ceiling) << "position " << position[i];
}

}  // namespace
}  // namespace guichet
