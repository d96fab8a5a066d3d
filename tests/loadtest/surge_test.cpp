// The surge harness end to end against a real redis-server and a real guichet process, at a small
// size: it must pass its own audit. Then the audit must fail when Redis is changed behind the
// gateway's back (a seat count moved, a sale recorded twice, an account pushed over its cap) and
// pass again once the change is undone.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

std::string iso(std::time_t t) {
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return b;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

struct ledger_line {
  std::string hold_id, account, session, category;
  int quantity = 0;
};

class surge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("GUICHET_ADMIN_KEY", "surge-test-admin-key-0123456789", 1);
    ::setenv("GUICHET_JWT_KEY", "surge-test-jwt-key-0123456789ab", 1);
    ::setenv("GUICHET_TOKEN_KEY", "surge-test-token-key-0123456789", 1);
    ::setenv("GUICHET_PAYMENT_KEY", "surge-test-payment-key-01234567", 1);
    redis_ = std::make_unique<test::redis_server>(true);
    dir_ = ::testing::TempDir() + "/surge-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    port_ = test::free_port();

    // loadtest/surge.toml, filled in as scripts/surge.sh does, for 400 fans on a short timeline.
    std::ifstream in(std::string(GUICHET_SOURCE_DIR) + "/loadtest/surge.toml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string cfg = ss.str();
    std::time_t now = std::time(nullptr), club = now + 7;
    for (auto [k, v] : std::initializer_list<std::pair<const char*, std::string>>{
             {"@GATEWAY_PORT@", std::to_string(port_)}, {"@REDIS_PORT@", std::to_string(redis_->port())},
             {"@REG_OPENS@", iso(now - 3600)}, {"@REG_CLOSES@", iso(now + 4)}, {"@CLUB_START@", iso(club)},
             {"@ALL_START@", iso(club + 3)}, {"@SINGLE_START@", iso(club + 1)}, {"@CLUB_WINNERS@", "30"},
             {"@ALL_WINNERS@", "120"}, {"@SINGLE_WINNERS@", "60"}, {"@PACKS_RATE@", "100"}, {"@SINGLE_RATE@", "100"},
             {"@PACKS_ACTIVE@", "1000"}, {"@SINGLE_ACTIVE@", "1000"}, {"@SEATS_L@", "200"}, {"@SEATS_M@", "100"},
             {"@SEATS_S@", "40"}})
      replace_all(cfg, k, v);
    // Unpaid holds expire sooner, so the audit's wait for the reapers is short (payment takes 0.3 s).
    replace_all(cfg, "hold_ttl = \"20s\"", "hold_ttl = \"5s\"");
    // The rooms ask for a (small) proof of work at the join: the fans solve it, as pages do.
    replace_all(cfg, "[rooms]\n", "[rooms]\njoin_pow_bits = 8\n");
    // The template's web root is relative to the repository; this process runs elsewhere.
    replace_all(cfg, "root = \"web\"", "root = \"" GUICHET_SOURCE_DIR "/web\"");
    config_ = dir_ + "/guichet.toml";
    std::ofstream(config_) << cfg;

    int rc = 0;
    auto out = test::run_command(std::string(GUICHET_BINARY) + " --config " + config_ + " --load-inventory", rc);
    ASSERT_EQ(rc, 0) << out;
    gateway_ = ::fork();
    if (gateway_ == 0) {
      ::execl(GUICHET_BINARY, GUICHET_BINARY, "--config", config_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    bool up = false;
    for (int i = 0; i < 300 && !up; ++i) {
      test::http_client c(port_);
      auto r = c.request("GET", "/readyz");
      up = r && r->status == 200;
      if (!up) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(up);
    output_ = test::run_command(std::string(LOADTEST_BINARY) + " surge --config " + config_ + " --out " + dir_ +
                                    " --fans 400 --mix packs:0.7,single:0.3 --spread 1s --poll 500ms --think 300ms"
                                    " --pay 300ms --misbehave 0.25 --retry 0.2 --deadline 60s --quiet",
                                surge_rc_);
  }
  static void TearDownTestSuite() {
    if (gateway_ > 0) ::kill(gateway_, SIGTERM), ::waitpid(gateway_, nullptr, 0);
    redis_.reset();
    std::filesystem::remove_all(dir_);
  }

  static int audit(std::string& out) {
    int rc = 0;
    out = test::run_command(std::string(LOADTEST_BINARY) + " audit --config " + config_ + " --edition paris2024-olympics" +
                                " --ledger " + dir_ + "/ledger.tsv --out " + dir_ + "/audit",
                            rc);
    return rc;
  }
  static std::string report() {
    std::ifstream f(dir_ + "/report.json");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  // The first sale of the ledger, and its first item.
  static ledger_line first_sale() {
    std::ifstream f(dir_ + "/ledger.tsv");
    std::string line;
    while (std::getline(f, line) && (line.empty() || line[0] == '#')) {
    }
    ledger_line l;
    std::istringstream cols(line);
    std::string phase, items;
    std::getline(cols, l.hold_id, '\t');
    std::getline(cols, l.account, '\t');
    std::getline(cols, phase, '\t');
    std::getline(cols, items, '\t');
    auto c1 = items.find(':'), c2 = items.find(':', c1 + 1), end = items.find(',');
    l.session = items.substr(0, c1);
    l.category = items.substr(c1 + 1, c2 - c1 - 1);
    l.quantity = std::stoi(items.substr(c2 + 1, end == std::string::npos ? std::string::npos : end - c2 - 1));
    return l;
  }
  static std::string inv(const std::string& session) { return "guichet:{paris2024-olympics}:inv:" + session; }

  static inline std::unique_ptr<test::redis_server> redis_;
  static inline std::string dir_, config_, output_;
  static inline int port_ = 0, gateway_ = -1, surge_rc_ = -1;
};

TEST_F(surge, small_surge_passes_its_audit) {
  ASSERT_EQ(surge_rc_, 0) << output_;
  EXPECT_NE(output_.find("RESULT: PASS"), std::string::npos) << output_;
  EXPECT_NE(output_.find("every invariant holds"), std::string::npos) << output_;
  auto r = report();
  EXPECT_NE(r.find("\"ok\":true"), std::string::npos);
  EXPECT_NE(r.find("\"violation_count\":0"), std::string::npos);
  // The crowd did what the scenario says: drawn fans queued and bought, the others were refused,
  // the misbehaving ones were caught.
  auto sale = first_sale();
  EXPECT_FALSE(sale.hold_id.empty()) << "no sale in the ledger";
  for (const char* must : {"\"admit\":", "\"confirm\":", "\"hold_replay\":", "\"release\":", "403 not_drawn",
                           "401 token_signature", "\"name\":\"double clicks make one hold\",\"tried\":"})
    EXPECT_NE(r.find(must), std::string::npos) << must;
  for (const char* check : {"forged access tokens refused", "over-limit requests refused", "double clicks make one hold",
                            "replayed holds return the first hold", "fans the draw did not pick are refused"}) {
    auto p = r.find(std::string("\"name\":\"") + check + "\",\"tried\":");
    ASSERT_NE(p, std::string::npos) << check;
    EXPECT_NE(r.compare(p + std::strlen(check) + 18, 2, "0,"), 0) << check << " was never tried";
  }
  EXPECT_NE(r.find("\"timeline\":[{"), std::string::npos);
  // The harness reports its own cost and delay: some CPU, spread over the fans that took part.
  auto number_after = [&](const std::string& key) {
    auto p = r.find(key);
    return p == std::string::npos ? -1.0 : std::stod(r.substr(p + key.size()));
  };
  EXPECT_GT(number_after("\"harness\":{\"cpu_seconds\":"), 0.0) << r.substr(r.find("\"surge\":"), 300);
  EXPECT_GT(number_after("\"active_fans\":"), 0.0);
  EXPECT_GT(number_after("\"cpu_us_per_fan\":"), 0.0);
  EXPECT_GE(number_after("\"lateness_ms\":{\"polls\":{\"p50\":"), 0.0);
  // What Redis spent: its CPU per admitted fan, and each script's calls and time, one per call
  // (the fans' journeys: join, admit, holds, confirm); the harness put SLOWLOG back as it was.
  EXPECT_GT(number_after("\"redis_cost\":{\"cpu_seconds\":"), 0.0) << r.substr(r.find("\"redis_cost\""), 400);
  EXPECT_GT(number_after("\"cpu_us_per_admitted_fan\":"), 0.0);
  auto cost = r.find("\"redis_cost\":");
  ASSERT_NE(cost, std::string::npos);
  auto admitted = r.find("\"admitted\":", cost);
  ASSERT_NE(admitted, std::string::npos);
  EXPECT_GT(std::stod(r.substr(admitted + 11)), 0.0);
  for (const char* script : {"\"room_join\":{\"calls\":", "\"room_admit\":{\"calls\":", "\"confirm\":{\"calls\":"})
    EXPECT_GT(number_after(script), 0.0) << script << " in " << r.substr(r.find("\"redis_cost\""), 1500);
  EXPECT_NE(r.find("\"hold (1 session)\":{\"calls\":"), std::string::npos) << r.substr(r.find("\"redis_cost\""), 1500);
  EXPECT_GT(number_after("\"usec_per_call\":"), 0.0);
  // How often Redis woke to read and to write over the stretch (INFO stats).
  EXPECT_GT(number_after("\"reads\":"), 0.0) << r.substr(r.find("\"redis_cost\""), 400);
  EXPECT_GT(number_after("\"writes\":"), 0.0) << r.substr(r.find("\"redis_cost\""), 400);
  EXPECT_EQ(redis_->cli({"CONFIG", "GET", "slowlog-log-slower-than"}), "slowlog-log-slower-than\n10000");
  EXPECT_EQ(redis_->cli({"SLOWLOG", "LEN"}), "0");
  auto pow = r.find("\"pow_solved\":");
  ASSERT_NE(pow, std::string::npos);
  EXPECT_GT(std::stoll(r.substr(pow + 13)), 0) << "the fans never met the proof of work";
  std::ifstream svg(dir_ + "/report.svg");
  EXPECT_TRUE(svg.good());
  std::string again;
  EXPECT_EQ(audit(again), 0) << again;
}

TEST_F(surge, audit_fails_when_a_seat_count_is_moved) {
  ASSERT_EQ(surge_rc_, 0) << output_;
  redis_->cli({"HINCRBY", inv("BKB01"), "a:A", "-1"});  // a seat vanishes from available
  std::string out;
  EXPECT_EQ(audit(out), 1) << out;
  EXPECT_NE(out.find("BKB01/A"), std::string::npos) << out;
  EXPECT_NE(out.find("available + held + sold != capacity"), std::string::npos) << out;
  redis_->cli({"HINCRBY", inv("BKB01"), "a:A", "1"});
  EXPECT_EQ(audit(out), 0) << out;
}

TEST_F(surge, audit_fails_when_a_sale_is_recorded_twice) {
  ASSERT_EQ(surge_rc_, 0) << output_;
  auto s = first_sale();
  ASSERT_FALSE(s.hold_id.empty());
  auto q = std::to_string(s.quantity);
  // The same tickets sold once more, taken from available: a + h + s = c still holds.
  redis_->cli({"HINCRBY", inv(s.session), "s:" + s.category, q});
  redis_->cli({"HINCRBY", inv(s.session), "a:" + s.category, "-" + q});
  std::string out;
  EXPECT_EQ(audit(out), 1) << out;
  EXPECT_NE(out.find(s.session + "/" + s.category), std::string::npos) << out;
  EXPECT_NE(out.find("sold != "), std::string::npos) << out;
  EXPECT_EQ(out.find("available + held + sold != capacity"), std::string::npos) << out;
  redis_->cli({"HINCRBY", inv(s.session), "s:" + s.category, "-" + q});
  redis_->cli({"HINCRBY", inv(s.session), "a:" + s.category, q});
  EXPECT_EQ(audit(out), 0) << out;

  // A second confirmed hold record for the same sale: Redis sells what was never paid for.
  std::string copy = "guichet:{paris2024-olympics}:hold:copy-of-" + s.hold_id;
  redis_->cli({"COPY", "guichet:{paris2024-olympics}:hold:" + s.hold_id, copy});
  EXPECT_EQ(audit(out), 1) << out;
  EXPECT_NE(out.find("sold in Redis but never confirmed by the payment back end"), std::string::npos) << out;
  redis_->cli({"DEL", copy});
  EXPECT_EQ(audit(out), 0) << out;
}

TEST_F(surge, audit_fails_when_an_account_is_pushed_over_its_cap) {
  ASSERT_EQ(surge_rc_, 0) << output_;
  auto s = first_sale();
  std::string acct = "guichet:{paris2024-olympics}:acct:" + s.account;
  redis_->cli({"HINCRBY", acct, "total", "31"});
  std::string out;
  EXPECT_EQ(audit(out), 1) << out;
  EXPECT_NE(out.find("account " + s.account), std::string::npos) << out;
  EXPECT_NE(out.find("over the edition limit of 30"), std::string::npos) << out;
  redis_->cli({"HINCRBY", acct, "total", "-31"});
  EXPECT_EQ(audit(out), 0) << out;
}

TEST(loadtest_cli, refuses_non_loopback_targets_and_bad_options) {
  int rc = 0;
  auto out = test::run_command(std::string(LOADTEST_BINARY) + " poll --config " + GUICHET_SOURCE_DIR +
                                   "/config/dev.toml --target 10.1.2.3:80 --duration 1s",
                               rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("only loopback targets"), std::string::npos) << out;
  out = test::run_command(std::string(LOADTEST_BINARY) + " poll --config x --bogus 1", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("unknown option '--bogus'"), std::string::npos) << out;
  out = test::run_command(std::string(LOADTEST_BINARY) + " surge --config x --pre-queue 1.5", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--pre-queue: bad value '1.5'"), std::string::npos) << out;
  out = test::run_command(std::string(LOADTEST_BINARY) + " surge --config x --mix packs:1,packs:2", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--mix: bad value"), std::string::npos) << out;
  out = test::run_command(std::string(LOADTEST_BINARY) + " poll --config x --connections 50000", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--connections: at most 20000"), std::string::npos) << out;
  out = test::run_command(std::string(LOADTEST_BINARY) + " surge --config x --poll-connections 50000", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--poll-connections: at most 20000"), std::string::npos) << out;
  out = test::run_command(std::string(LOADTEST_BINARY) + " surge --config x --poll-connections 0", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--poll-connections: bad value '0'"), std::string::npos) << out;
}

}  // namespace
}  // namespace guichet
