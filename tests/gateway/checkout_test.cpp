// Checkout against a real redis-server and a real gateway, with invariants asserted by reading
// Redis, never the responses.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <future>
#include <random>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/clock.hpp"
#include "core/keys.hpp"
#include "gateway/checkout/routes.hpp"
#include "gateway/commands/load_inventory.hpp"
#include "gateway/ops/routes.hpp"
#include "gateway/room/routes.hpp"
#include "gateway/server/worker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/jwt_mint.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_gateway.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::http_client;
using test::json_field;
using test::json_int;

const identity::runtime_secrets& kSecrets = test::test_secrets();

class checkout_test : public ::testing::Test {
 protected:
  explicit checkout_test(bool aof = false) : redis(aof), now(system_ms()) {
    cfg = test::test_config(redis.port());
    cfg.limits.account_rate = 0;  // the storm test hammers from one IP and few accounts
    edition_config e{"test-ed", "Test", {}};
    e.sessions = {{"BIG", "Big session", "", "", "", false, {{"A", 1000}}},
                  {"S2", "", "", "", "", false, {{"A", 50}, {"B", 50}}},
                  {"S3", "", "", "", "", false, {{"A", 50}}},
                  {"S4", "", "", "", "", false, {{"A", 2}}},
                  {"S5", "", "", "", "", false, {{"A", 50}}},
                  {"S6", "", "", "", "", false, {{"A", 50}}},
                  {"CER", "Ceremony", "", "", "", true, {{"A", 50}}},
                  {"SRF", "Surfing", "", "", "", false, {{"A", 50}}}};
    phase_config packs;
    packs.id = "packs";
    packs.rules = phase_rules::packs;
    packs.excluded = {"SRF"};
    packs.slots = {{"all", now - 60'000, 2h, ""}};
    phase_config single;
    single.id = "single";
    single.slots = {{"all", now - 60'000, 2h, ""}};
    e.phases = {packs, single};
    cfg.editions = {e};
  }
  void start() {
    std::ostringstream out;
    ASSERT_EQ(commands::load_inventory(cfg, out), 0) << out.str();
    server::route_table t;
    ops::add_ops_routes(t);
    room::add_room_routes(t);
    checkout::add_checkout_routes(t);
    gw = std::make_unique<test::test_gateway>(cfg, std::move(t), kSecrets);
    for (int i = 0; i < 200 && !gw->srv.redis_ready(); ++i) std::this_thread::sleep_for(10ms);
  }
  /// Admitted shoppers, as the waiting room would leave them: a live session and an access token.
  std::vector<std::string> shoppers(const std::string& prefix, int n, const char* phase = "single") {
    token_keyring ring(kSecrets.token_keys);
    std::vector<std::string> hset{"HSET", keys::sessions("test-ed", phase)}, zadd{"ZADD", keys::active("test-ed", phase)};
    std::vector<std::string> tokens;
    for (int i = 0; i < n; ++i) {
      std::string acct = prefix + std::to_string(i), sid = "sid" + std::to_string(i);
      hset.insert(hset.end(), {acct, sid});
      zadd.insert(zadd.end(), {std::to_string(system_ms() + 3'600'000), acct});
      tokens.push_back(ring.sign(access_claims{"test-ed", phase, acct, sid, now + 3'600'000}));
    }
    redis.cli(hset);
    redis.cli(zadd);
    return tokens;
  }
  /// A series' value on /metrics (0 when absent).
  std::uint64_t metric(const std::string& series) {
    http_client m(gw->port());
    auto r = m.request("GET", "/metrics");
    EXPECT_TRUE(r && r->status == 200);
    if (!r) return 0;
    auto at = r->body.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::stoull(r->body.substr(at + series.size() + 2));
  }
  static std::string hold_request(const std::string& token, const std::string& key, const std::string& body,
                                  const char* phase = "single") {
    return std::string("POST /editions/test-ed/phases/") + phase + "/holds HTTP/1.1\r\nHost: x\r\n" +
           "Authorization: Bearer " + token + "\r\nIdempotency-Key: " + key +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  std::optional<test::http_reply> hold(const std::string& token, const std::string& key, const std::string& body,
                                       const char* phase = "single") {
    http_client c(gw->port());
    c.send_raw(hold_request(token, key, body, phase));
    return c.read();
  }
  static std::string items(std::initializer_list<std::tuple<const char*, const char*, int>> list) {
    std::string b = "{\"items\":[";
    for (auto& [s, cat, q] : list) {
      if (b.back() != '[') b += ',';
      b += "{\"session\":\"" + std::string(s) + "\",\"category\":\"" + cat + "\",\"quantity\":" + std::to_string(q) + "}";
    }
    return b + "]}";
  }
  long long field(const std::string& key, const std::string& f) {
    auto v = redis.cli({"HGET", key, f});
    return v.empty() ? 0 : std::stoll(v);
  }
  /// Invariant 1 for every session and category, read from Redis.
  void expect_inventory_consistent() {
    for (auto& s : cfg.editions[0].sessions)
      for (auto& [cat, cap] : s.categories) {
        auto inv = keys::inventory("test-ed", s.id);
        long long a = field(inv, "a:" + cat), h = field(inv, "h:" + cat), so = field(inv, "s:" + cat),
                  c = field(inv, "c:" + cat);
        EXPECT_EQ(c, static_cast<long long>(cap)) << s.id << "/" << cat;
        EXPECT_EQ(a + h + so, c) << s.id << "/" << cat;
        EXPECT_GE(a, 0);
        EXPECT_GE(h, 0);
        EXPECT_GE(so, 0);
      }
  }
  std::optional<test::http_reply> service(const std::string& method, const std::string& target,
                                          const std::string& body = {}, const std::string& key = kSecrets.payment_key) {
    http_client c(gw->port());
    return c.request(method, target, body,
                     "Authorization: Bearer " + key + "\r\n" + (body.empty() ? "" : "Content-Type: application/json\r\n"));
  }

  test::redis_server redis;
  std::int64_t now;
  config cfg;
  std::unique_ptr<test::test_gateway> gw;
};

TEST_F(checkout_test, thousand_concurrent_clients_ten_times_oversubscribed_never_oversell) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  ASSERT_GE(rl.rlim_cur, 4200u);
  start();
  const int accounts = 1000;
  auto tokens = shoppers("storm-", accounts);
  // Every account sends two holds of 5 at once (10,000 seats asked of 1,000; 5 + 5 is also over
  // the per-session limit of 6): 2,000 requests on 2,000 connections, all in flight together.
  std::vector<std::unique_ptr<http_client>> conns;
  for (int i = 0; i < accounts; ++i)
    for (int k = 0; k < 2; ++k) {
      conns.push_back(std::make_unique<http_client>(gw->port(), 30s));
      ASSERT_TRUE(conns.back()->connected());
    }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < accounts; ++i)
    for (int k = 0; k < 2; ++k)
      conns[2 * i + k]->send_raw(hold_request(tokens[i], "storm-" + std::to_string(k), items({{"BIG", "A", 5}})));
  std::map<std::string, int> outcomes;
  std::vector<std::string> held;
  for (auto& c : conns) {
    auto r = c->read();
    ASSERT_TRUE(r);
    outcomes[std::to_string(r->status) + " " + json_field(r->body, "code")]++;
    if (r->status == 201) held.push_back(json_field(r->body, "hold_id"));
  }
  std::string summary;
  for (auto& [k, v] : outcomes) summary += k + ": " + std::to_string(v) + "\n";
  std::cerr << "storm: 2000 holds answered in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n" << summary;
  EXPECT_EQ(held.size(), 200u) << summary;  // exactly the 1,000 seats, 5 at a time
  expect_inventory_consistent();
  auto inv = keys::inventory("test-ed", "BIG");
  EXPECT_EQ(field(inv, "a:A"), 0);
  EXPECT_EQ(field(inv, "h:A"), 1000);
  // Invariant 2 for every account, in one pass over Redis: the largest per-session and total counts.
  auto worst = redis.cli({"EVAL",
                          "local s, t, n = 0, 0, 0 "
                          "for _, k in ipairs(redis.call(\"KEYS\", ARGV[1])) do "
                          "  n = n + 1 "
                          "  s = math.max(s, tonumber(redis.call(\"HGET\", k, \"s:BIG\") or \"0\")) "
                          "  t = math.max(t, tonumber(redis.call(\"HGET\", k, \"total\") or \"0\")) end "
                          "return {s, t, n}",
                          "0", keys::account("test-ed", "storm-*")});
  std::istringstream in(worst);
  long long max_session = -1, max_total = -1, counted = -1;
  in >> max_session >> max_total >> counted;
  EXPECT_EQ(counted, 200) << worst;  // the accounts that got seats
  EXPECT_LE(max_session, 6) << worst;
  EXPECT_LE(max_total, 30) << worst;
  EXPECT_GE(max_session, 5) << worst;
  // Pay for half, release the other half: still consistent, and sold seats stay sold.
  for (std::size_t i = 0; i < held.size(); ++i) {
    auto r = i % 2 ? service("DELETE", "/editions/test-ed/holds/" + held[i])
                   : service("POST", "/editions/test-ed/holds/" + held[i] + "/confirm", R"({"payment_ref":"pay-)" + std::to_string(i) + "\"}");
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  }
  expect_inventory_consistent();
  EXPECT_EQ(field(inv, "s:A"), 500);
  EXPECT_EQ(field(inv, "a:A"), 500);
  EXPECT_EQ(field(inv, "h:A"), 0);
}

TEST_F(checkout_test, a_pack_whose_third_session_is_sold_out_takes_nothing) {
  start();
  auto t = shoppers("pack-", 2, "packs");
  auto r = hold(t[0], "k1", items({{"S2", "A", 1}, {"S3", "A", 1}, {"S4", "A", 3}}), "packs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(json_field(r->body, "code"), "sold_out");
  EXPECT_EQ(json_field(r->body, "session"), "S4");
  EXPECT_EQ(json_int(r->body, "available"), 2);
  EXPECT_EQ(field(keys::inventory("test-ed", "S2"), "a:A"), 50);
  EXPECT_EQ(field(keys::inventory("test-ed", "S3"), "a:A"), 50);
  EXPECT_EQ(field(keys::account("test-ed", "pack-0"), "total"), 0);
  auto ok = hold(t[1], "k1", items({{"S2", "A", 6}, {"S3", "A", 1}, {"S4", "A", 2}}), "packs");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  expect_inventory_consistent();
}

TEST_F(checkout_test, phase_rules_and_exclusions_are_refused_with_stable_codes) {
  start();
  auto p = shoppers("rules-", 1, "packs")[0];
  auto code = [&](const std::string& body, const char* phase = "packs", const std::string& token = {}) {
    auto r = hold(token.empty() ? p : token, "k-" + std::to_string(std::hash<std::string>{}(body)), body, phase);
    return r ? std::to_string(r->status) + " " + json_field(r->body, "code") : "none";
  };
  EXPECT_EQ(code(items({{"S2", "A", 1}, {"S3", "A", 1}})), "422 pack_shape");
  EXPECT_EQ(code(items({{"S2", "A", 1}, {"S3", "A", 1}, {"S5", "A", 1}, {"S6", "A", 1}})), "422 pack_shape");
  EXPECT_EQ(code(items({{"S2", "A", 1}, {"S2", "B", 1}, {"S3", "A", 1}})), "422 pack_shape");  // 2 distinct
  EXPECT_EQ(code(items({{"S2", "A", 1}, {"S3", "A", 1}, {"SRF", "A", 1}})), "422 excluded_session");
  EXPECT_EQ(code(items({{"S2", "A", 1}, {"S3", "A", 1}, {"NOPE", "A", 1}})), "422 unknown_session");
  EXPECT_EQ(code(items({{"S2", "A", 1}, {"S3", "Z", 1}, {"S5", "A", 1}})), "422 unknown_category");
  EXPECT_EQ(code(items({{"S2", "A", 0}, {"S3", "A", 1}, {"S5", "A", 1}})), "422 bad_quantity");
  EXPECT_EQ(code(items({{"S2", "A", 4}, {"S2", "B", 3}, {"S3", "A", 1}, {"S5", "A", 1}})), "409 limit_session");
  EXPECT_EQ(code(R"({"items":[{"session":"S2","category":"A"}]})"), "400 malformed_json");
  EXPECT_EQ(code(R"({"items":[{"session":"S2","category":"A","quantity":1,"x":1}]})"), "400 malformed_json");
  EXPECT_EQ(code(R"({"items":[]} trailing)"), "400 malformed_json");
  EXPECT_EQ(code("not json"), "400 malformed_json");
  auto single = shoppers("rules-single-", 1, "single")[0];
  EXPECT_EQ(code(items({{"CER", "A", 5}}), "single", single), "409 limit_ceremony");
  EXPECT_EQ(code(items({{"SRF", "A", 1}}), "single", single), "201 ");  // on sale in single
  // Token and header problems.
  EXPECT_EQ(code(items({{"S2", "A", 1}}), "single", p), "403 token_scope");  // a packs token in single
  http_client c(gw->port());
  auto no_key = c.request("POST", "/editions/test-ed/phases/single/holds", items({{"S2", "A", 1}}),
                          "Authorization: Bearer " + single + "\r\nContent-Type: application/json\r\n");
  EXPECT_EQ(json_field(no_key->body, "code"), "idempotency_key_required");
  auto no_token = c.request("POST", "/editions/test-ed/phases/single/holds", items({{"S2", "A", 1}}),
                            "Idempotency-Key: a\r\nContent-Type: application/json\r\n");
  EXPECT_EQ(json_field(no_token->body, "code"), "token_missing");
  expect_inventory_consistent();
}

TEST_F(checkout_test, thirty_ticket_cap_across_phases_then_refused_without_redis) {
  start();
  auto packs = shoppers("cap-", 1, "packs")[0];
  auto single = shoppers("cap-", 1, "single")[0];
  EXPECT_EQ(hold(packs, "p1", items({{"S2", "A", 6}, {"S3", "A", 6}, {"S5", "A", 6}}), "packs")->status, 201);
  EXPECT_EQ(hold(single, "s1", items({{"S6", "A", 6}, {"BIG", "A", 6}}))->status, 201);
  auto over = hold(single, "s2", items({{"S4", "A", 1}}));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 409);
  EXPECT_EQ(json_field(over->body, "code"), "limit_account");
  EXPECT_EQ(json_int(over->body, "left"), 0);
  EXPECT_EQ(field(keys::account("test-ed", "cap-0"), "total"), 30);
  // The gateway now remembers the cap: the next attempt is refused before Redis. The hold script
  // keeps every outcome it reaches, a refusal too, under the Idempotency-Key, so a key that is
  // absent from Redis is a request that never ran the script (EVALSHA counts would also include
  // the background refreshes).
  EXPECT_EQ(redis.cli({"EXISTS", keys::idempotency("test-ed", "cap-0", "s2")}), "1");
  auto again = hold(single, "s3", items({{"S4", "A", 1}}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(json_field(again->body, "code"), "limit_account");
  EXPECT_EQ(redis.cli({"EXISTS", keys::idempotency("test-ed", "cap-0", "s3")}), "0");
  expect_inventory_consistent();
}

// The room tells the truth about stock (no admin call): seats all in holds hold admissions back,
// expired holds bring them back, nothing available and nothing held is sold out (no join, no
// admission), and more inventory reopens it.
TEST_F(checkout_test, a_room_sells_out_by_itself_and_reopens_when_seats_come_back) {
  cfg.room_refresh = 50ms;
  cfg.editions[0].limits.hold_ttl = 1s;
  cfg.editions[0].sessions = {{"T1", "", "", "", "", false, {{"A", 3}}}, {"T2", "", "", "", "", false, {{"A", 1}}}};
  for (auto& p : cfg.editions[0].phases) p.excluded.clear(), p.admit_rate = 1000;
  start();
  auto state_of = [&] {
    http_client c(gw->port());
    auto r = c.request("GET", "/rooms/test-ed/single/state");
    return r ? json_field(r->body, "status") + "/" + json_field(r->body, "stock") : "none";
  };
  auto await = [&](const std::string& want) {
    // Generous: under a loaded machine the reaper and the refresh may take seconds.
    // Each poll may reach the other worker, whose view can be a refresh behind: return what was seen.
    std::string seen;
    for (int i = 0; i < 300 && (seen = state_of()) != want; ++i) std::this_thread::sleep_for(30ms);
    return seen;
  };
  auto join = [&](const std::string& account) {
    http_client c(gw->port());
    return c.request("POST", "/rooms/test-ed/single/join", {},
                     "Authorization: Bearer " + sign_jwt(kSecrets.jwt_key, test::claims(account, now / 1000 + 3600)) + "\r\n");
  };
  auto admit = [&](const std::string& queue_token) {
    http_client c(gw->port());
    return c.request("POST", "/rooms/test-ed/single/admit", {}, "Authorization: Bearer " + queue_token + "\r\n");
  };
  ASSERT_EQ(await("open/in"), "open/in");
  auto buyer = shoppers("so-", 1)[0];
  auto h1 = hold(buyer, "h1", items({{"T1", "A", 3}, {"T2", "A", 1}}));
  ASSERT_EQ(h1->status, 201) << h1->body;
  // Everything is in a basket: still open, but nobody new is let in while nothing is available.
  EXPECT_EQ(await("open/held"), "open/held");
  auto waiting = join("so-waiting");
  ASSERT_EQ(waiting->status, 200) << waiting->body;
  auto qt = json_field(waiting->body, "queue_token");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(json_field(admit(qt)->body, "code"), "not_yet");
  // The hold expires: seats are back, the line moves again.
  EXPECT_EQ(await("open/in"), "open/in");
  std::optional<test::http_reply> a;
  for (int i = 0; i < 50; ++i) {
    a = admit(qt);
    if (!a || a->status == 200) break;
    std::this_thread::sleep_for(30ms);
  }
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200) << a->body;
  // Everything sold: sold out by itself; no join, no admission of a fan already in line.
  auto late = join("so-late");
  ASSERT_EQ(late->status, 200);
  auto h2 = hold(buyer, "h2", items({{"T1", "A", 3}, {"T2", "A", 1}}));
  ASSERT_EQ(h2->status, 201) << h2->body;
  auto paid = service("POST", "/editions/test-ed/holds/" + json_field(h2->body, "hold_id") + "/confirm",
                      R"({"payment_ref":"so-pay"})");
  ASSERT_EQ(paid->status, 200) << paid->body;
  EXPECT_EQ(await("sold_out/out"), "sold_out/out");
  EXPECT_EQ(redis.cli({"HGET", keys::room("test-ed", "single"), "stock"}), "out");
  // Never admitted; room_closed once the worker that answers has seen the sell-out (a worker a
  // refresh behind still says not_yet).
  std::optional<test::http_reply> refused;
  for (int i = 0; i < 100; ++i) {
    refused = admit(json_field(late->body, "queue_token"));
    ASSERT_TRUE(refused);
    ASSERT_NE(refused->status, 200) << "a fan was admitted into a sold-out room";
    if (json_field(refused->body, "code") == "room_closed") break;
    std::this_thread::sleep_for(30ms);
  }
  EXPECT_EQ(refused->status, 409);
  EXPECT_EQ(json_field(refused->body, "code"), "room_closed");
  auto newcomer = join("so-newcomer");
  EXPECT_EQ(newcomer->status, 409);
  EXPECT_EQ(json_field(newcomer->body, "code"), "room_closed");
  EXPECT_EQ(redis.cli({"HGET", keys::room("test-ed", "single"), "status"}), "open");  // no admin call made
  // The organiser releases more seats: the room reopens.
  cfg.editions[0].sessions[1].categories[0].second = 5;
  std::ostringstream out;
  ASSERT_EQ(commands::load_inventory(cfg, out), 0) << out.str();
  EXPECT_EQ(await("open/in"), "open/in");
  EXPECT_EQ(join("so-newcomer")->status, 200);
  expect_inventory_consistent();
}

TEST_F(checkout_test, replays_with_one_idempotency_key_make_exactly_one_hold) {
  cfg.limits.account_inflight = 4;  // let all three replays reach Redis together
  start();
  auto t = shoppers("idem-", 1)[0];
  auto body = items({{"S2", "A", 2}});
  std::vector<std::future<std::optional<test::http_reply>>> fs;
  for (int i = 0; i < 3; ++i) fs.push_back(std::async(std::launch::async, [&] { return hold(t, "same-key", body); }));
  std::set<std::string> ids;
  for (auto& f : fs) {
    auto r = f.get();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
    ids.insert(json_field(r->body, "hold_id"));
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(field(keys::inventory("test-ed", "S2"), "h:A"), 2);
  EXPECT_EQ(field(keys::account("test-ed", "idem-0"), "total"), 2);
  // Same key, other content.
  auto other = hold(t, "same-key", items({{"S2", "A", 3}}));
  EXPECT_EQ(other->status, 422);
  EXPECT_EQ(json_field(other->body, "code"), "idempotency_mismatch");
  // After the gateway's Redis connections are cut, the retry still finds the first outcome.
  redis.cli({"CLIENT", "KILL", "TYPE", "normal"});
  std::optional<test::http_reply> replay;
  for (int i = 0; i < 100; ++i) {
    replay = hold(t, "same-key", body);
    if (replay && replay->status == 201) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(replay && replay->status == 201);
  EXPECT_EQ(json_field(replay->body, "hold_id"), *ids.begin());
  EXPECT_EQ(field(keys::inventory("test-ed", "S2"), "h:A"), 2);
}

TEST_F(checkout_test, holds_expire_back_to_inventory_and_late_confirm_is_410) {
  cfg.editions[0].limits.hold_ttl = 1s;
  start();
  auto t = shoppers("exp-", 1)[0];
  auto r = hold(t, "e1", items({{"S3", "A", 4}}));
  ASSERT_EQ(r->status, 201);
  auto id = json_field(r->body, "hold_id");
  auto deadline = json_int(r->body, "deadline_ms");
  EXPECT_EQ(field(keys::inventory("test-ed", "S3"), "a:A"), 46);
  while (system_ms() < deadline + 1'000) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(field(keys::inventory("test-ed", "S3"), "a:A"), 50);  // returned within deadline + 1 s
  // The reaper reports itself caught up (the lag gauge ops alert on).
  http_client m(gw->port());
  auto metrics = m.request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  auto at = metrics->body.find("\nguichet_reaper_lag_seconds ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(std::stod(metrics->body.substr(at + 28)), 1.0);
  EXPECT_EQ(metric("guichet_holds_total{edition=\"test-ed\",phase=\"single\",outcome=\"expired\"}"), 1u);
  EXPECT_EQ(redis.cli({"HGET", keys::hold("test-ed", id), "status"}), "expired");
  EXPECT_EQ(field(keys::account("test-ed", "exp-0"), "total"), 0);
  auto late = service("POST", "/editions/test-ed/holds/" + id + "/confirm", R"({"payment_ref":"late"})");
  EXPECT_EQ(late->status, 410);
  EXPECT_EQ(json_field(late->body, "code"), "hold_expired");
  expect_inventory_consistent();
}

TEST_F(checkout_test, confirm_and_release_are_idempotent_and_guarded) {
  start();
  auto t = shoppers("set-", 2);
  auto r = hold(t[0], "c1", items({{"S5", "A", 3}}));
  auto id = json_field(r->body, "hold_id");
  // Only the payment back end confirms.
  EXPECT_EQ(service("POST", "/editions/test-ed/holds/" + id + "/confirm", R"({"payment_ref":"p"})", t[0])->status, 401);
  EXPECT_EQ(service("POST", "/editions/test-ed/holds/" + id + "/confirm", R"({"nope":1})")->status, 400);
  auto ok = service("POST", "/editions/test-ed/holds/" + id + "/confirm", R"({"payment_ref":"pay-1"})");
  ASSERT_EQ(ok->status, 200) << ok->body;
  auto again = service("POST", "/editions/test-ed/holds/" + id + "/confirm", R"({"payment_ref":"pay-2"})");
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json_field(again->body, "payment_ref"), "pay-1");
  EXPECT_EQ(field(keys::inventory("test-ed", "S5"), "s:A"), 3);
  // A confirmed seat never returns.
  http_client c(gw->port());
  auto rel = c.request("DELETE", "/editions/test-ed/holds/" + id, {}, "Authorization: Bearer " + t[0] + "\r\n");
  EXPECT_EQ(rel->status, 409);
  EXPECT_EQ(json_field(rel->body, "code"), "hold_confirmed");
  // Release by the owner; not by someone else; twice is fine.
  auto h2 = json_field(hold(t[0], "c2", items({{"S5", "A", 2}}))->body, "hold_id");
  EXPECT_EQ(c.request("DELETE", "/editions/test-ed/holds/" + h2, {}, "Authorization: Bearer " + t[1] + "\r\n")->status, 404);
  EXPECT_EQ(c.request("GET", "/editions/test-ed/holds/" + h2, {}, "Authorization: Bearer " + t[1] + "\r\n")->status, 404);
  auto mine = c.request("GET", "/editions/test-ed/holds/" + h2, {}, "Authorization: Bearer " + t[0] + "\r\n");
  EXPECT_EQ(json_field(mine->body, "status"), "held");
  EXPECT_EQ(c.request("DELETE", "/editions/test-ed/holds/" + h2, {}, "Authorization: Bearer " + t[0] + "\r\n")->status, 200);
  EXPECT_EQ(c.request("DELETE", "/editions/test-ed/holds/" + h2, {}, "Authorization: Bearer " + t[0] + "\r\n")->status, 200);
  EXPECT_EQ(field(keys::inventory("test-ed", "S5"), "a:A"), 47);
  EXPECT_EQ(service("GET", "/editions/test-ed/holds/0123456789abcdef")->status, 404);
  expect_inventory_consistent();
}

// Settling a hold is one round trip: the script reads the hold, checks its owner and names the
// account and inventory keys itself (the gateway used to read the hold first).
TEST_F(checkout_test, settling_a_hold_is_one_round_trip_that_checks_the_owner) {
  cfg.demo.payment = true;
  start();
  auto t = shoppers("one-", 2);
  const std::string inv = keys::inventory("test-ed", "S5");
  auto a = hold(t[0], "one-a", items({{"S5", "A", 3}}));
  auto b = hold(t[0], "one-b", items({{"S5", "A", 2}}));
  ASSERT_EQ(a->status, 201) << a->body;
  ASSERT_EQ(b->status, 201) << b->body;
  auto ida = json_field(a->body, "hold_id"), idb = json_field(b->body, "hold_id");
  // Round trips a settlement makes: its script, and any read of a hold a client sent (Redis'
  // SLOWLOG, set to log every command; a script's own commands are logged with client "?:0").
  // Only reads of a hold count: the gateway's other work (its fleet lease) may read other keys.
  redis.cli({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  redis.cli({"CONFIG", "SET", "slowlog-max-len", "10000"});
  const std::string hold_key = keys::hold("test-ed", "");
  auto commands = [&] {
    std::istringstream log(redis.cli({"SLOWLOG", "GET", "10000"}));
    std::uint64_t plain = 0;
    std::string prev;
    bool read = false;
    for (std::string line; std::getline(log, line); prev = line) {
      if ((prev == "HMGET" || prev == "HGETALL") && line.starts_with(hold_key)) read = true;
      else if (read && line.starts_with("127.0.0.1:")) plain += 1, read = false;
      else if (line.starts_with("?:")) read = false;
    }
    return plain + metric("guichet_redis_script_duration_seconds_count{script=\"confirm\"}") +
           metric("guichet_redis_script_duration_seconds_count{script=\"release\"}");
  };
  http_client c(gw->port());
  auto as = [&](const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; };
  // Someone else's hold is not found, and nothing moves.
  auto before = commands();
  auto theirs = c.request("POST", "/editions/test-ed/holds/" + ida + "/demo-payment", {}, as(t[1]));
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(json_field(theirs->body, "code"), "hold_not_found");
  EXPECT_EQ(commands() - before, 1u);
  EXPECT_EQ(c.request("DELETE", "/editions/test-ed/holds/" + idb, {}, as(t[1]))->status, 404);
  EXPECT_EQ(field(inv, "h:A"), 5);
  EXPECT_EQ(field(keys::account("test-ed", "one-0"), "total"), 5);
  // The owner pays one and releases the other: one command each.
  before = commands();
  auto paid = c.request("POST", "/editions/test-ed/holds/" + ida + "/demo-payment", {}, as(t[0]));
  ASSERT_EQ(paid->status, 200) << paid->body;
  EXPECT_EQ(commands() - before, 1u);
  before = commands();
  EXPECT_EQ(c.request("DELETE", "/editions/test-ed/holds/" + idb, {}, as(t[0]))->status, 200);
  EXPECT_EQ(commands() - before, 1u);
  EXPECT_EQ(field(inv, "s:A"), 3);
  EXPECT_EQ(field(inv, "h:A"), 0);
  EXPECT_EQ(field(keys::account("test-ed", "one-0"), "total"), 3);
  EXPECT_EQ(field(keys::account("test-ed", "one-0"), "s:S5"), 3);
  EXPECT_EQ(metric("guichet_tickets_sold_total{edition=\"test-ed\",phase=\"single\"}"), 3u);
  expect_inventory_consistent();
}

// Each phase's holds are counted by what happened to them, once: a replay, a repeated confirmation
// or a second release counts nothing.
TEST_F(checkout_test, holds_are_counted_once_per_change_of_state) {
  start();
  auto t = shoppers("ev-", 1)[0];
  auto series = [](const char* outcome) {
    return std::string("guichet_holds_total{edition=\"test-ed\",phase=\"single\",outcome=\"") + outcome + "\"}";
  };
  auto a = hold(t, "ev-a", items({{"S5", "A", 2}}));
  ASSERT_EQ(a->status, 201) << a->body;
  ASSERT_EQ(hold(t, "ev-a", items({{"S5", "A", 2}}))->status, 201);  // a replay: the same hold
  auto b = hold(t, "ev-b", items({{"S5", "A", 1}}));
  ASSERT_EQ(b->status, 201) << b->body;
  auto ida = json_field(a->body, "hold_id"), idb = json_field(b->body, "hold_id");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(service("POST", "/editions/test-ed/holds/" + ida + "/confirm", R"({"payment_ref":"ev"})")->status, 200);
    EXPECT_EQ(service("DELETE", "/editions/test-ed/holds/" + idb)->status, 200);
  }
  EXPECT_EQ(metric(series("created")), 2u);
  EXPECT_EQ(metric(series("confirmed")), 1u);
  EXPECT_EQ(metric(series("released")), 1u);
  EXPECT_EQ(metric(series("expired")), 0u);
  EXPECT_EQ(metric("guichet_tickets_sold_total{edition=\"test-ed\",phase=\"single\"}"), 2u);
  EXPECT_EQ(metric("guichet_holds_total{edition=\"test-ed\",phase=\"packs\",outcome=\"created\"}"), 0u);
}

// Ops watch each script's Redis round trip: one observation per call, in the script's own series.
TEST_F(checkout_test, each_script_call_is_timed_in_its_own_histogram) {
  start();
  const std::string holds = "guichet_redis_script_duration_seconds_count{script=\"hold\"}";
  const std::string confirms = "guichet_redis_script_duration_seconds_count{script=\"confirm\"}";
  auto t = shoppers("lat-", 1);
  auto holds_before = metric(holds), confirms_before = metric(confirms);
  std::string id;
  for (int i = 0; i < 3; ++i) {
    auto r = hold(t[0], "lat" + std::to_string(i), items({{"S5", "A", 1}}));
    ASSERT_EQ(r->status, 201) << r->body;
    id = json_field(r->body, "hold_id");
  }
  ASSERT_EQ(service("POST", "/editions/test-ed/holds/" + id + "/confirm", R"({"payment_ref":"lat"})")->status, 200);
  EXPECT_EQ(metric(holds), holds_before + 3);
  EXPECT_EQ(metric(confirms), confirms_before + 1);
  // The buckets are cumulative and end at the count.
  EXPECT_EQ(metric("guichet_redis_script_duration_seconds_bucket{script=\"hold\",le=\"+Inf\"}"), holds_before + 3);
  EXPECT_LE(metric("guichet_redis_script_duration_seconds_bucket{script=\"hold\",le=\"1e-05\"}"),
            metric("guichet_redis_script_duration_seconds_bucket{script=\"hold\",le=\"0.1\"}"));
}

TEST_F(checkout_test, a_silent_shopper_cannot_check_out) {
  start();
  token_keyring ring(kSecrets.token_keys);
  auto ghost = ring.sign(access_claims{"test-ed", "single", "ghost", "no-such-session", now + 60'000});
  auto r = hold(ghost, "g1", items({{"S2", "A", 1}}));
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json_field(r->body, "code"), "session_expired");
}

TEST_F(checkout_test, inventory_load_is_idempotent_and_never_undersells_held_or_sold) {
  start();
  auto t = shoppers("inv-", 1)[0];
  ASSERT_EQ(hold(t, "i1", items({{"S3", "A", 5}}))->status, 201);
  std::ostringstream out;
  EXPECT_EQ(commands::load_inventory(cfg, out), 0);
  EXPECT_NE(out.str().find("0 created, 0 updated"), std::string::npos) << out.str();
  auto lowered = cfg;
  lowered.editions[0].sessions[2].categories[0].second = 3;  // S3 below its 5 held seats
  lowered.editions[0].sessions[4].categories[0].second = 80;  // S5 raised
  std::ostringstream out2;
  EXPECT_EQ(commands::load_inventory(lowered, out2), 1);
  EXPECT_NE(out2.str().find("S3 A capacity 3: refused, 5 seats are held or sold"), std::string::npos) << out2.str();
  EXPECT_EQ(field(keys::inventory("test-ed", "S3"), "c:A"), 50);
  EXPECT_EQ(field(keys::inventory("test-ed", "S3"), "h:A"), 5);
  EXPECT_EQ(field(keys::inventory("test-ed", "S5"), "a:A"), 80);
  http_client c(gw->port());
  std::this_thread::sleep_for(1100ms);
  auto av = c.request("GET", "/editions/test-ed/availability");
  ASSERT_EQ(av->status, 200);
  EXPECT_EQ(av->header("cache-control"), "public, max-age=1");
  EXPECT_NE(av->body.find(R"("S3","name":"","sport":"","venue":"","date":"","ceremony":false,"categories":{"A":{"available":45,"capacity":50}})"),
            std::string::npos) << av->body;
}

class checkout_fault_test : public checkout_test {
 protected:
  checkout_fault_test() : checkout_test(true) {}
};

TEST_F(checkout_fault_test, script_flush_and_redis_restart_mid_storm_break_nothing) {
  start();
  const int accounts = 200;
  auto tokens = shoppers("fault-", accounts);
  std::atomic<int> created{0}, unavailable{0};
  std::vector<std::thread> ts;
  for (int w = 0; w < 8; ++w)
    ts.emplace_back([&, w] {
      for (int i = w; i < accounts; i += 8)
        for (int k = 0; k < 3; ++k) {
          auto r = hold(tokens[i], "f" + std::to_string(k), items({{"BIG", "A", 2}}));
          if (r && r->status == 201) created++;
          else if (r && r->status == 503) unavailable++;
          if (i == 40 && k == 0) redis.cli({"SCRIPT", "FLUSH"});
          if (i == 100 && k == 0 && w == 4) {
            redis.stop();  // SIGKILL: only what AOF (fsync always) has survives
            std::this_thread::sleep_for(200ms);
            redis.start();
          }
        }
    });
  for (auto& t : ts) t.join();
  // The registered sessions are in Redis' AOF too, so the service resumes by itself.
  std::optional<test::http_reply> after;
  for (int i = 0; i < 200; ++i) {
    after = hold(tokens[0], "after", items({{"S2", "A", 1}}));
    if (after && after->status == 201) break;
    std::this_thread::sleep_for(25ms);
  }
  ASSERT_TRUE(after && after->status == 201) << (after ? after->body : "");
  expect_inventory_consistent();
  long long held = field(keys::inventory("test-ed", "BIG"), "h:A");
  long long sum = 0;
  for (int i = 0; i < accounts; ++i) {
    auto s = field(keys::account("test-ed", "fault-" + std::to_string(i)), "s:BIG");
    EXPECT_LE(s, 6);
    sum += s;
  }
  EXPECT_EQ(sum, held);  // account counts agree with the seats held
  EXPECT_GT(created.load(), 0);
}

}  // namespace
}  // namespace guichet

namespace guichet {
namespace {

// Garbage in every position a client controls: request lines, headers, tokens, bodies. Nothing
// may crash or wedge the server, and nothing may touch the inventory.
TEST_F(checkout_test, random_garbage_never_crashes_or_stalls_the_server) {
  start();
  auto token = shoppers("junk-", 1)[0];
  std::mt19937 rng(1234);
  auto junk = [&](std::size_t max) {
    std::string s(rng() % max, '\0');
    for (auto& ch : s) ch = static_cast<char>(rng() % 256);
    return s;
  };
  const char* targets[] = {"/editions/test-ed/phases/single/holds", "/rooms/test-ed/single/join",
                           "/rooms/test-ed/single/admit", "/editions/test-ed/holds/0123456789abcdef/confirm",
                           "/admin/rooms/test-ed/single", "/rooms/test-ed/packs/register"};
  for (int i = 0; i < 600; ++i) {
    http_client c(gw->port(), 2s);
    std::string req;
    switch (i % 4) {
      case 0: req = junk(512); break;  // not HTTP at all
      case 1: req = "POST " + std::string(targets[i % 6]) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + junk(200) +
                    "\r\nContent-Length: 5\r\n\r\nhello"; break;
      case 2: {
        auto body = junk(300);
        req = "POST " + std::string(targets[i % 6]) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
              "\r\nIdempotency-Key: j" + std::to_string(i) + "\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body;
        break;
      }
      default: req = "GET /" + junk(100) + " HTTP/1.1\r\n" + junk(100) + "\r\n\r\n";
    }
    c.send_raw(req);
    c.read();  // whatever comes back, or a close; never a hang beyond the client's 2 s
  }
  http_client ok(gw->port());
  auto r = ok.request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect_inventory_consistent();
  EXPECT_EQ(field(keys::account("test-ed", "junk-0"), "total"), 0);
}

}  // namespace
}  // namespace guichet
