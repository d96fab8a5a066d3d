// High availability against real processes: a Redis primary, replicas and redis-sentinel, real
// guichet processes, and faults injected in the middle of a hold/confirm storm (SIGKILL of the
// primary, SIGSTOP past down-after then SIGCONT, a replica killed while replicas_ack = 1).
// Afterwards the harness's audit reads Redis through the sentinels and must find every
// invariant holding and, above all, every sale the payment back end was told of.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/clock.hpp"
#include "core/keys.hpp"
#include "core/token.hpp"
#include "gateway/checkout/routes.hpp"
#include "gateway/ops/routes.hpp"
#include "gateway/room/routes.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "gateway/server/worker.hpp"
#include "loadtest/audit.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/redis_topology.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/test_gateway.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using test::http_client;
using test::json_field;
using test::redis_topology;

const identity::runtime_secrets& kSecrets = test::test_secrets();
constexpr const char* kSentinelEnv = "GUICHET_TEST_SENTINEL_PASSWORD";
constexpr int kSessions = 5;

std::int64_t now_ms() { return system_ms(); }

std::string iso(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return ts;
}

/// The edition every test here sells: one phase open to all, five sessions.
std::string edition_toml(int capacity) {
  std::ostringstream t;
  t << "[editions.ha]\nname = \"HA\"\n[editions.ha.limits]\nhold_ttl = \"1m\"\n[editions.ha.sessions]\n";
  for (int s = 1; s <= kSessions; ++s) t << "S" << s << " = { categories = { A = " << capacity << " } }\n";
  t << "[editions.ha.phases.single]\nadmit_rate = 1000\nmax_active = 100000\nslots = [ { id = \"all\", start = "
    << iso(now_ms() - 60'000) << ", duration = \"2h\" } ]\n";
  return t.str();
}

/// `[redis]` through the sentinels of `topo`, or straight to one node.
/// The WAIT timeout is generous: ctest runs these next to other load on two cores.
std::string redis_toml(const redis_topology* topo, int direct_port, int replicas_ack,
                       const char* replicas_timeout = "300ms", const char* command_timeout = "1500ms") {
  std::ostringstream t;
  t << "[redis]\n";
  if (topo) {
    t << "sentinels = " << topo->sentinels_toml() << "\nmaster = \"" << redis_topology::kMaster
      << "\"\nsentinel_password = { env = \"" << kSentinelEnv << "\" }\n";
  } else {
    t << "host = \"127.0.0.1\"\nport = " << direct_port << "\n";
  }
  t << "replicas_ack = " << replicas_ack << "\nreplicas_timeout = \"" << replicas_timeout << "\"\ncommand_timeout = \""
    << command_timeout << "\"\n"
    << "reconnect_min = \"50ms\"\nreconnect_max = \"250ms\"\n";
  return t.str();
}

/// A real guichet process (or the CLI run once) with its own config file.
struct gateway_process {
  int port = 0, pid = -1;
  std::string config_path;
  ~gateway_process() {
    if (pid > 0) ::kill(pid, SIGTERM), ::waitpid(pid, nullptr, 0);
  }
};

void set_env() {
  ::setenv(kSentinelEnv, redis_topology::kSentinelPassword, 1);
  ::setenv("GUICHET_TEST_JWT_KEY", kSecrets.jwt_key.c_str(), 1);
  ::setenv("GUICHET_TEST_PAYMENT_KEY", kSecrets.payment_key.c_str(), 1);
  ::setenv("GUICHET_TEST_TOKEN_KEY", kSecrets.token_keys[0].secret.c_str(), 1);
}

std::string write_config(const std::string& name, int port, const std::string& redis, int capacity) {
  std::string path = ::testing::TempDir() + "/ha-" + std::to_string(::getpid()) + "-" + name + ".toml";
  std::ofstream(path) << "[server]\nport = " << port << "\nthreads = 2\n[limits]\naccount_rate = 0\n" << redis
                      << "[log]\nlevel = \"warn\"\n[rooms]\nrefresh = \"50ms\"\n[secrets]\n"
                      << "jwt_key = { env = \"GUICHET_TEST_JWT_KEY\" }\npayment_key = { env = \"GUICHET_TEST_PAYMENT_KEY\" }\n"
                      << "[[tokens.keys]]\nid = \"" << kSecrets.token_keys[0].id << "\"\nenv = \"GUICHET_TEST_TOKEN_KEY\"\n"
                      << edition_toml(capacity);
  return path;
}

std::unique_ptr<gateway_process> launch(const std::string& redis, int capacity, const std::string& name) {
  set_env();
  auto g = std::make_unique<gateway_process>();
  g->port = test::free_port();
  g->config_path = write_config(name, g->port, redis, capacity);
  g->pid = ::fork();
  if (g->pid == 0) {
    ::execl(GUICHET_BINARY, GUICHET_BINARY, "--config", g->config_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    http_client c(g->port);
    auto r = c.request("GET", "/readyz");
    if (r && r->status == 200) return g;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "gateway " << name << " never became ready";
  return g;
}

/// `guichet --load-inventory` through the same config (the CLI resolves the primary too).
void load_inventory(const std::string& config_path) {
  set_env();
  int rc = 0;
  auto out = test::run_command(std::string(GUICHET_BINARY) + " --config " + config_path + " --load-inventory", rc);
  ASSERT_EQ(rc, 0) << out;
}

/// Admitted shoppers, as the waiting room would leave them (written on the primary; the caller
/// waits for the replicas).
std::vector<std::string> shoppers(const std::function<std::string(const std::vector<std::string>&)>& cli, int n) {
  token_keyring ring(kSecrets.token_keys);
  std::vector<std::string> hset{"HSET", keys::sessions("ha", "single")}, zadd{"ZADD", keys::active("ha", "single")};
  std::vector<std::string> tokens;
  for (int i = 0; i < n; ++i) {
    std::string acct = "fan" + std::to_string(i), sid = "sid" + std::to_string(i);
    hset.insert(hset.end(), {acct, sid});
    zadd.insert(zadd.end(), {std::to_string(now_ms() + 3'600'000), acct});
    tokens.push_back(ring.sign(access_claims{"ha", "single", acct, sid, now_ms() + 3'600'000}));
  }
  cli(hset);
  cli(zadd);
  return tokens;
}

std::string hold_body(int session) {
  return R"({"items":[{"session":"S)" + std::to_string(session) + R"(","category":"A","quantity":1}]})";
}

/// What the storm saw: the payment back end's ledger and the failover's timing.
struct storm_outcome {
  std::mutex m;
  std::vector<loadtest::sale> ledger;
  std::atomic<int> holds{0}, releases{0}, refusals{0}, retries{0}, unavailable{0}, unknown{0};
  std::atomic<std::int64_t> fault_ms{0};          ///< when the fault was injected (0: not yet)
  std::atomic<std::int64_t> first_hold_after_ms{0};  ///< first 201 sent after the fault
};

/// One request, retried with the same bytes (same Idempotency-Key) while the answer is 503,
/// 429 or no answer at all, as a fan's page or the payment back end would; at most 30 s.
std::optional<test::http_reply> until_definitive(int port, const std::string& method, const std::string& target,
                                                 const std::string& body, const std::string& headers,
                                                 storm_outcome& out, std::int64_t* sent_ms = nullptr) {
  auto end = clock_type::now() + 30s;
  for (bool first = true; clock_type::now() < end; first = false) {
    if (!first) out.retries++, std::this_thread::sleep_for(50ms);
    if (sent_ms) *sent_ms = now_ms();
    http_client c(port, 3s);
    auto r = c.request(method, target, body, headers);
    if (!r) continue;
    if (r->status == 503) {
      (json_field(r->body, "code") == "outcome_unknown" ? out.unknown : out.unavailable)++;
      continue;
    }
    if (r->status == 429) continue;
    return r;
  }
  return std::nullopt;
}

/// `clients` fans buying one ticket at a time for `length`, spread over the gateways; a fifth of
/// the holds are released, the rest confirmed by the payment back end. Every request is retried
/// until it has a definitive answer, so the ledger is exactly what the back end believes.
void storm(const std::vector<int>& ports, const std::vector<std::string>& tokens, int clients,
           std::chrono::milliseconds length, storm_outcome& out) {
  std::atomic<int> next_account{0};
  auto stop = clock_type::now() + length;
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&, t] {
      const int port = ports[static_cast<std::size_t>(t) % ports.size()];
      int account = next_account++, n = 0;
      while (clock_type::now() < stop && account < static_cast<int>(tokens.size())) {
        const std::string acct = "fan" + std::to_string(account), key = acct + "-" + std::to_string(n);
        const int session = 1 + (n + account) % kSessions;
        std::int64_t sent = 0;
        auto h = until_definitive(port, "POST", "/editions/ha/phases/single/holds", hold_body(session),
                                  "Authorization: Bearer " + tokens[static_cast<std::size_t>(account)] +
                                      "\r\nIdempotency-Key: " + key + "\r\nContent-Type: application/json\r\n",
                                  out, &sent);
        ++n;
        if (!h) continue;
        if (h->status != 201) {
          out.refusals++;
          if (h->status == 409) account = next_account++, n = 0;  // sold out or at a limit: next fan
          continue;
        }
        out.holds++;
        std::int64_t fault = out.fault_ms.load(), zero = 0;
        if (fault && sent > fault) out.first_hold_after_ms.compare_exchange_strong(zero, sent);
        const std::string id = json_field(h->body, "hold_id");
        if (n % 5 == 0) {
          auto r = until_definitive(port, "DELETE", "/editions/ha/holds/" + id, "",
                                    "Authorization: Bearer " + tokens[static_cast<std::size_t>(account)] + "\r\n", out);
          if (r && r->status == 200) out.releases++;
          continue;
        }
        const std::string ref = "pay-" + key;
        auto c = until_definitive(port, "POST", "/editions/ha/holds/" + id + "/confirm", R"({"payment_ref":")" + ref + "\"}",
                                  "Authorization: Bearer " + kSecrets.payment_key + "\r\nContent-Type: application/json\r\n",
                                  out);
        if (c && c->status == 200) {
          std::lock_guard lock(out.m);
          out.ledger.push_back({id, acct, "single", "S" + std::to_string(session) + ":A:1", ref});
        }
        if (n >= 6) account = next_account++, n = 0;
      }
    });
  for (auto& th : threads) th.join();
}

/// The harness's audit of the edition, reading Redis through the sentinels (or one node).
loadtest::audit_report audit(const std::string& config_path, const std::vector<loadtest::sale>& ledger) {
  set_env();
  auto cfg = load_config(config_path);
  EXPECT_TRUE(cfg.errors.empty()) << (cfg.errors.empty() ? "" : cfg.errors[0].to_string());
  redis::blocking_client redis(cfg.value.redis);
  EXPECT_TRUE(redis.ok()) << redis.error();
  return loadtest::audit_edition(redis, cfg.value.editions.front(), &ledger);
}

std::string describe(const loadtest::audit_report& a) {
  std::string s;
  for (auto& v : a.violations) s += "  " + v + "\n";
  for (auto& [k, v] : a.facts) s += "  " + k + ": " + v + "\n";
  return s;
}

/// Kills (or freezes) the primary in the middle of a storm on two gateways; afterwards every
/// confirmed sale is in Redis and the audit passes.
void failover_under_storm(bool freeze) {
  redis_topology topo;
  const int old_primary = topo.primary();
  ASSERT_EQ(old_primary, topo.nodes()[0]);
  const std::string redis = redis_toml(&topo, 0, 1);
  auto g1 = launch(redis, 6000, freeze ? "freeze-1" : "kill-1");
  auto g2 = launch(redis, 6000, freeze ? "freeze-2" : "kill-2");
  load_inventory(g1->config_path);
  auto tokens = shoppers([&](const std::vector<std::string>& a) { return topo.cli(old_primary, a); }, 4000);
  ASSERT_TRUE(topo.wait_replicated(2)) << "the shoppers did not reach both replicas";

  storm_outcome out;
  std::thread fault([&] {
    std::this_thread::sleep_for(2s);
    out.fault_ms = now_ms();
    if (freeze) {
      topo.freeze(old_primary);
    } else {
      topo.kill(old_primary);
    }
  });
  storm({g1->port, g2->port}, tokens, 24, 9s, out);
  fault.join();
  const int new_primary = topo.wait_new_primary(old_primary);
  ASSERT_NE(new_primary, 0) << "no replica was promoted";
  if (freeze) {
    // The old primary comes back from its freeze cut off from its replicas: it must not take a
    // write (min-replicas-to-write fences it until Sentinel turns it into a replica).
    topo.thaw(old_primary);
    auto write = topo.cli(old_primary, {"SET", "fencing-probe", "1"});
    EXPECT_NE(write, "OK") << "a demoted primary accepted a write";
    EXPECT_TRUE(topo.wait_replica_synced(old_primary)) << "the old primary did not come back as a replica";
  }

  const double recovery_s = out.first_hold_after_ms ? (out.first_hold_after_ms - out.fault_ms) / 1000.0 : -1;
  std::printf("[ failover ] %s primary %d -> %d: first successful hold %.2f s after the fault; holds %d, "
              "confirmed %zu, released %d, refused %d, retries %d (503 unavailable %d, outcome_unknown %d)\n",
              freeze ? "froze" : "killed", old_primary, new_primary, recovery_s, out.holds.load(), out.ledger.size(),
              out.releases.load(), out.refusals.load(), out.retries.load(), out.unavailable.load(), out.unknown.load());
  EXPECT_GT(out.first_hold_after_ms.load(), 0) << "no hold succeeded after the fault: the gateways did not resume";
  EXPECT_GT(out.ledger.size(), 100u);

  // Both gateways follow the new primary by themselves.
  for (auto* g : {g1.get(), g2.get()}) {
    http_client c(g->port, 15s);  // a sanitized gateway, right after the storm, on shared cores, can be slow
    auto m = c.request("GET", "/metrics");
    if (!m) {  // say whether the gateway is gone, and how
      int status = 0;
      pid_t done = ::waitpid(g->pid, &status, WNOHANG);
      ADD_FAILURE() << "no answer to GET /metrics on port " << g->port << ": "
                    << (done == 0 ? std::string("the gateway is still running")
                        : WIFSIGNALED(status) ? "the gateway died of signal " + std::to_string(WTERMSIG(status))
                                              : "the gateway exited with " + std::to_string(WEXITSTATUS(status)));
      if (done != 0) g->pid = -1;
    }
    ASSERT_TRUE(m);
    EXPECT_NE(m->body.find("guichet_redis_primary_info{address=\"127.0.0.1:" + std::to_string(new_primary) + "\"} 1"),
              std::string::npos)
        << m->body.substr(m->body.find("guichet_redis_primary_info"), 120);
    // At least the one failover the test caused (Sentinel may promote twice in a row under load:
    // a CI run saw 36455 -> 43273 -> 33659 within 2 s, and the gateways counted both).
    auto at = m->body.find("\nguichet_redis_failovers_total ");
    ASSERT_NE(at, std::string::npos);
    EXPECT_GE(std::stoll(m->body.substr(at + 31)), 1);
  }
  auto report = audit(g1->config_path, out.ledger);
  EXPECT_TRUE(report.ok()) << describe(report);
  // Nothing sold was lost: the sold counters equal the ledger, ticket for ticket.
  long long sold = 0;
  for (int s = 1; s <= kSessions; ++s) {
    auto v = topo.cli(new_primary, {"HGET", keys::inventory("ha", "S" + std::to_string(s)), "s:A"});
    sold += v.empty() ? 0 : std::stoll(v);
  }
  EXPECT_EQ(sold, static_cast<long long>(out.ledger.size())) << "sold in Redis vs confirmations the back end received";
}

TEST(ha, primary_killed_mid_storm_no_acknowledged_sale_lost_none_sold_twice) { failover_under_storm(false); }

TEST(ha, primary_frozen_past_down_after_comes_back_as_a_replica_and_takes_no_write) { failover_under_storm(true); }

// replicas_ack = 1 with the only replica gone: the primary still runs the script, but the answer
// cannot claim durability: 503 outcome_unknown. Once the replica is back, the retry with the same
// Idempotency-Key returns the very hold made the first time; nothing is lost or doubled.
TEST(ha, a_replica_lost_with_replicas_ack_1_answers_outcome_unknown_until_it_is_back) {
  redis_topology topo({.replicas = 1, .sentinels = 0, .min_replicas_to_write = 0});
  const int primary = topo.nodes()[0], replica = topo.nodes()[1];
  auto g = launch(redis_toml(nullptr, primary, 1, "1500ms", "4s"), 100, "ack");
  load_inventory(g->config_path);
  auto tokens = shoppers([&](const std::vector<std::string>& a) { return topo.cli(primary, a); }, 2);
  ASSERT_TRUE(topo.wait_replicated(1));
  auto hold = [&](const std::string& key) {
    http_client c(g->port);
    return c.request("POST", "/editions/ha/phases/single/holds", hold_body(1),
                     "Authorization: Bearer " + tokens[0] + "\r\nIdempotency-Key: " + key +
                         "\r\nContent-Type: application/json\r\n");
  };
  std::optional<test::http_reply> ok;
  for (int i = 0; i < 5 && !(ok && ok->status == 201); ++i) ok = hold("before");  // same key: one hold
  ASSERT_TRUE(ok && ok->status == 201) << (ok ? ok->body : "no answer");

  topo.kill(replica);
  auto r = hold("during");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(json_field(r->body, "code"), "outcome_unknown") << r->body;
  EXPECT_FALSE(r->header("retry-after").empty());
  // The outcome really is unknown to the client: the primary did make the hold.
  EXPECT_EQ(topo.cli(primary, {"HGET", keys::inventory("ha", "S1"), "h:A"}), "2");
  {
    http_client c(g->port);
    auto m = c.request("GET", "/metrics");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->body.find("guichet_redis_wait_shortfalls_total 0"), std::string::npos);
  }

  topo.restart(replica);
  ASSERT_TRUE(topo.wait_replica_synced(replica));
  std::optional<test::http_reply> retry;
  for (int i = 0; i < 100 && !(retry && retry->status == 201); ++i, std::this_thread::sleep_for(50ms)) retry = hold("during");
  ASSERT_TRUE(retry && retry->status == 201) << (retry ? retry->body : "no answer");
  EXPECT_EQ(topo.cli(primary, {"HGET", keys::inventory("ha", "S1"), "h:A"}), "2") << "the retry made a second hold";
  EXPECT_EQ(topo.cli(replica, {"HGET", keys::inventory("ha", "S1"), "h:A"}), "2") << "the replica lacks the holds";
}

// Discovery: the first sentinel listed names a primary that refuses connections (it monitors a
// dead address under the same name), the second is down; the gateway still finds the primary.
TEST(ha, discovery_past_a_sentinel_that_is_down_and_one_naming_a_dead_host) {
  redis_topology topo;
  topo.kill_sentinel(0);
  // A real sentinel that believes in a primary nobody listens on.
  const int liar_port = test::free_port(), dead_port = test::free_port();
  char tmpl[] = "/tmp/guichet-liar-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::ofstream(dir + "/sentinel.conf") << "port " << liar_port << "\nbind 127.0.0.1\ndir " << dir << "\nlogfile " << dir
                                        << "/sentinel.log\nrequirepass "
                                        << redis_topology::kSentinelPassword << "\nsentinel monitor "
                                        << redis_topology::kMaster << " 127.0.0.1 " << dead_port << " 1\n";
  int liar = ::fork();
  if (liar == 0) {
    ::execlp("redis-server", "redis-server", (dir + "/sentinel.conf").c_str(), "--sentinel", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  struct reaper {
    int pid;
    ~reaper() { ::kill(pid, SIGKILL), ::waitpid(pid, nullptr, 0); }
  } liar_guard{liar};
  std::this_thread::sleep_for(300ms);

  set_env();
  config cfg = test::test_config(0);
  cfg.redis.sentinels = {{"127.0.0.1", static_cast<std::uint16_t>(liar_port)}};
  for (int p : topo.sentinels()) cfg.redis.sentinels.push_back({"127.0.0.1", static_cast<std::uint16_t>(p)});
  cfg.redis.master = redis_topology::kMaster;
  cfg.redis.sentinel_password.env = kSentinelEnv;
  server::route_table t;
  ops::add_ops_routes(t);
  test::test_gateway gw(cfg, std::move(t), kSecrets);
  bool ready = false;
  for (int i = 0; i < 500 && !(ready = gw.srv.redis_ready()); ++i) std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(ready) << "never found the primary";
  http_client c(gw.port());
  auto m = c.request("GET", "/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("guichet_redis_primary_info{address=\"127.0.0.1:" + std::to_string(topo.nodes()[0]) + "\"} 1"),
            std::string::npos);
  // The ops commands find it the same way.
  redis::blocking_client cli(cfg.redis);
  EXPECT_TRUE(cli.ok()) << cli.error();
}

// A primary that is demoted under the gateway answers READONLY: the request is told 503
// unavailable (nothing was written), the gateway re-checks ROLE, stays unready while the server
// is a replica, and comes back by itself when it is a primary again.
TEST(ha, readonly_from_a_stale_primary_is_unavailable_and_the_gateway_recovers) {
  test::redis_server a, b;
  config cfg = test::test_config(a.port());
  edition_config e{"ro", "RO", {}};
  e.sessions = {{"S1", "", "", "", "", false, {{"A", 10}}}};
  phase_config single;
  single.id = "single";
  single.slots = {{"all", now_ms() - 60'000, 2h, ""}};
  e.phases = {single};
  cfg.editions = {e};
  a.cli({"HSET", keys::inventory("ro", "S1"), "c:A", "10", "a:A", "10", "h:A", "0", "s:A", "0"});
  server::route_table t;
  ops::add_ops_routes(t);
  room::add_room_routes(t);
  checkout::add_checkout_routes(t);
  test::test_gateway gw(cfg, std::move(t), kSecrets);
  for (int i = 0; i < 500 && !gw.srv.ready(); ++i) std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(gw.srv.ready());
  token_keyring ring(kSecrets.token_keys);
  a.cli({"HSET", keys::sessions("ro", "single"), "fan", "sid"});
  a.cli({"ZADD", keys::active("ro", "single"), std::to_string(now_ms() + 3'600'000), "fan"});
  const std::string token = ring.sign(access_claims{"ro", "single", "fan", "sid", now_ms() + 3'600'000});
  auto hold = [&](const std::string& key) {
    http_client c(gw.port());
    return c.request("POST", "/editions/ro/phases/single/holds", hold_body(1),
                     "Authorization: Bearer " + token + "\r\nIdempotency-Key: " + key + "\r\nContent-Type: application/json\r\n");
  };
  auto first = hold("k1");
  ASSERT_TRUE(first && first->status == 201) << (first ? first->body : "");

  a.cli({"REPLICAOF", "127.0.0.1", std::to_string(b.port())});
  auto r = hold("k2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(json_field(r->body, "code"), "unavailable") << r->body;
  bool unready = false;
  for (int i = 0; i < 200 && !(unready = !gw.srv.redis_ready()); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(unready) << "the gateway kept a connection to a replica";
  std::this_thread::sleep_for(300ms);  // several reconnects: each ROLE check says replica
  EXPECT_FALSE(gw.srv.redis_ready());

  a.cli({"REPLICAOF", "NO", "ONE"});
  a.cli({"HSET", keys::inventory("ro", "S1"), "c:A", "10", "a:A", "10", "h:A", "0", "s:A", "0"});  // the sync emptied it
  a.cli({"HSET", keys::sessions("ro", "single"), "fan", "sid"});
  a.cli({"ZADD", keys::active("ro", "single"), std::to_string(now_ms() + 3'600'000), "fan"});
  bool back = false;
  for (int i = 0; i < 500 && !(back = gw.srv.redis_ready()); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(back);
  auto again = hold("k3");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201) << again->body;
}

}  // namespace
}  // namespace guichet
