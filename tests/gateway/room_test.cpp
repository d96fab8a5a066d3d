// The waiting room against a real redis-server and real gateways (in-process servers with two
// worker threads each; two of them share one Redis as two gateways would).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "core/clock.hpp"
#include "core/keys.hpp"
#include "core/pow.hpp"
#include "core/room.hpp"
#include "core/shopper_session.hpp"
#include "core/token.hpp"
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

class room_test : public ::testing::Test {
 protected:
  room_test() : now(system_ms()) {
    cfg = test::test_config(redis.port());
    cfg.room_refresh = 50ms;
    edition_config e{"test-ed", "Test edition", {}};
    phase_config packs;
    packs.id = "packs";
    packs.draw = true;
    packs.admit_rate = 1000;
    packs.max_active = 1000;
    packs.pre_queue = 1h;
    packs.registration_opens_ms = now - 3'600'000;
    packs.registration_closes_ms = now + 3'600'000;
    packs.slots = {{"open", now - 60'000, 2h, ""}, {"later", now + 3 * 3'600'000, 1h, ""},
                   {"soon", now + 1'500, 1h, ""}};
    phase_config single;
    single.id = "single";
    single.admit_rate = 1000;
    single.max_active = 1000;
    single.slots = {{"all", now - 60'000, 2h, ""}};
    e.phases = {packs, single};
    cfg.editions = {e};
  }
  void start(int gateways = 1) {
    for (int i = 0; i < gateways; ++i) {
      server::route_table t;
      ops::add_ops_routes(t);
      room::add_room_routes(t);
      gws.push_back(std::make_unique<test::test_gateway>(cfg, std::move(t), kSecrets));
    }
    // Ready (Redis up, scripts loaded, every worker's room cache warm) on every gateway.
    for (int g = 0; g < gateways; ++g) {
      bool ready = false;
      for (int i = 0; i < 500 && !ready; ++i) {
        ready = gws[static_cast<std::size_t>(g)]->srv.ready();
        if (!ready) std::this_thread::sleep_for(20ms);
      }
      ASSERT_TRUE(ready) << "gateway " << g << " never became ready";
    }
  }
  int port(int i = 0) const { return gws[static_cast<std::size_t>(i)]->port(); }
  phase_config& phase(const char* id) {
    for (auto& p : cfg.editions[0].phases)
      if (p.id == id) return p;
    throw std::logic_error("no phase");
  }
  std::string jwt(const std::string& account, long long ttl_s = 3600) {
    return sign_jwt(kSecrets.jwt_key, test::claims(account, now / 1000 + ttl_s));
  }
  static std::string auth(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }
  void draw(const std::string& account, const std::string& slot, const char* phase = "packs") {
    redis.cli({"HSET", keys::draw("test-ed", phase), account, slot});
  }
  std::optional<test::http_reply> join(const std::string& account, const char* phase = "packs", int gw = 0) {
    http_client c(port(gw));
    return c.request("POST", std::string("/rooms/test-ed/") + phase + "/join", {}, auth(jwt(account)));
  }
  std::string queue_token(const std::string& account, const char* phase = "single") {
    auto r = join(account, phase);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no reply");
    return r ? json_field(r->body, "queue_token") : "";
  }
  std::string state(int gw = 0, const char* phase = "single") {
    http_client c(port(gw));
    auto r = c.request("GET", std::string("/rooms/test-ed/") + phase + "/state");
    return r ? r->body : "";
  }

  test::redis_server redis;
  std::int64_t now;
  config cfg;
  std::vector<std::unique_ptr<test::test_gateway>> gws;
};

TEST_F(room_test, a_hundred_concurrent_joins_of_one_account_get_one_place) {
  start();
  draw("fan-1", "open");
  std::vector<std::future<std::optional<test::http_reply>>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(std::async(std::launch::async, [&] { return join("fan-1"); }));
  std::set<std::string> positions, numbers;
  for (auto& f : fs) {
    auto r = f.get();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    positions.insert(json_field(r->body, "position"));
  }
  EXPECT_EQ(positions.size(), 1u);
  EXPECT_EQ(redis.cli({"HLEN", keys::places("test-ed", "packs")}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys::room("test-ed", "packs"), "tail"}), "1");
}

TEST_F(room_test, joins_outside_the_slot_or_undrawn_are_refused) {
  start();
  draw("fan-later", "later");
  auto later = join("fan-later");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 403);
  EXPECT_EQ(json_field(later->body, "code"), "not_your_slot");
  EXPECT_EQ(json_int(later->body, "start_ms"), now + 3 * 3'600'000);
  auto nobody = join("fan-not-drawn");
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 403);
  EXPECT_EQ(json_field(nobody->body, "code"), "not_drawn");
  EXPECT_EQ(redis.cli({"HLEN", keys::places("test-ed", "packs")}), "0");
}

TEST_F(room_test, identity_token_problems_have_distinct_codes) {
  start();
  http_client c(port());
  auto code = [&](const std::string& headers) {
    auto r = c.request("POST", "/rooms/test-ed/single/join", {}, headers);
    return r ? std::to_string(r->status) + " " + json_field(r->body, "code") : "none";
  };
  EXPECT_EQ(code(""), "401 token_missing");
  EXPECT_EQ(code(auth(sign_jwt(kSecrets.jwt_key, test::claims("x", now / 1000 + 60), R"({"alg":"none"})"))),
            "401 token_alg");
  EXPECT_EQ(code(auth(sign_jwt("not-the-organisers-key-000", test::claims("x", now / 1000 + 60)))),
            "401 token_signature");
  EXPECT_EQ(code(auth(sign_jwt(kSecrets.jwt_key, test::claims("x", now / 1000 - 5)))), "401 token_expired");
  EXPECT_EQ(code(auth("garbage")), "401 token_malformed");
  auto r = c.request("POST", "/rooms/test-ed/nope/join", {}, auth(jwt("x")));
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json_field(r->body, "code"), "unknown_room");
}

TEST_F(room_test, state_is_identical_everywhere_cacheable_and_validated) {
  start(2);
  std::set<std::string> bodies;
  for (int i = 0; i < 20; ++i)
    for (int g = 0; g < 2; ++g) bodies.insert(state(g));
  EXPECT_EQ(bodies.size(), 1u);  // an idle room: the same bytes from every worker of both gateways
  http_client c(port());
  auto r = c.request("GET", "/rooms/test-ed/single/state");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("cache-control"), "public, max-age=1");
  EXPECT_EQ(json_field(r->body, "status"), "open");
  auto etag = r->header("etag");
  ASSERT_FALSE(etag.empty());
  auto again = c.request("GET", "/rooms/test-ed/single/state", {}, "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->body, "");
  EXPECT_EQ(again->header("etag"), etag);
  http_client other(port(1));
  EXPECT_EQ(other.request("GET", "/rooms/test-ed/single/state", {}, "If-None-Match: " + etag + "\r\n")->status, 304);
  EXPECT_EQ(c.request("GET", "/rooms/test-ed/nope/state")->status, 404);
  // HTTP/1.0 gets the same document through the ordinary response path, then a close.
  http_client old(port());
  old.send_raw("GET /rooms/test-ed/single/state HTTP/1.0\r\n\r\n");
  auto r10 = old.read();
  ASSERT_TRUE(r10);
  EXPECT_EQ(r10->status, 200);
  EXPECT_EQ(r10->body, r->body);
  EXPECT_EQ(r10->header("etag"), etag);
  EXPECT_TRUE(old.closed_by_peer());
}

TEST_F(room_test, two_gateways_admit_in_queue_order_at_the_configured_rate) {
  phase("single").admit_rate = 40;
  start(2);
  const int fans = 200;
  std::vector<std::string> tokens(fans);
  std::vector<long long> position(fans);
  for (int i = 0; i < fans; ++i) {
    auto r = join("rate-" + std::to_string(i), "single", i % 2);
    ASSERT_TRUE(r && r->status == 200);
    tokens[i] = json_field(r->body, "queue_token");
    position[i] = json_int(r->body, "position");
  }
  // The outflow: the serving counter, read through both gateways, advances at the admit rate.
  auto serving_at = [&](int g) { return json_int(state(g), "serving"); };
  auto t0 = std::chrono::steady_clock::now();
  auto s0 = serving_at(0);
  std::this_thread::sleep_for(2s);
  auto s1 = serving_at(1);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_LT(s1, fans) << "the queue ran dry during the measurement";
  // One refresh period (50 ms) of slack at each end of the window.
  EXPECT_NEAR((s1 - s0) / secs, 40.0, 4.0 + 2 * 40 * 0.05 / secs) << s0 << " -> " << s1 << " in " << secs << " s";
  // Admission follows the counter, in queue order: admit everyone as their turn comes.
  std::vector<std::chrono::steady_clock::time_point> admitted(fans);
  std::vector<bool> done(fans);
  int count = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  http_client c0(port(0)), c1(port(1));
  while (count < fans && std::chrono::steady_clock::now() < deadline) {
    auto serving = serving_at(count % 2);
    for (int i = 0; i < fans; ++i) {
      if (done[i] || position[i] >= serving) continue;
      auto r = (i % 2 ? c1 : c0).request("POST", "/rooms/test-ed/single/admit", {}, auth(tokens[i]));
      ASSERT_TRUE(r);
      if (r->status == 200) {
        done[i] = true;
        admitted[i] = std::chrono::steady_clock::now();
        ++count;
      }
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(count, fans);
  // Queue order: nobody is let in before someone ahead of them by more than one refresh step.
  int inversions = 0;
  for (int i = 0; i < fans; ++i)
    for (int j = 0; j < fans; ++j)
      if (position[i] < position[j] && admitted[j] + 150ms < admitted[i]) ++inversions;
  EXPECT_EQ(inversions, 0);
}

TEST_F(room_test, the_active_shopper_ceiling_holds_and_idle_shoppers_expire) {
  phase("single").max_active = 5;
  phase("single").shopper_idle = 1500ms;
  start(2);
  const int fans = 20;
  std::vector<std::string> tokens;
  for (int i = 0; i < fans; ++i) tokens.push_back(queue_token("ceil-" + std::to_string(i)));
  std::this_thread::sleep_for(300ms);  // serving passes everyone (rate 1000/s)
  ASSERT_GE(json_int(state(), "serving"), fans);
  std::vector<std::future<std::optional<test::http_reply>>> fs;
  for (int i = 0; i < fans; ++i)
    fs.push_back(std::async(std::launch::async, [&, i] {
      http_client c(port(i % 2));
      return c.request("POST", "/rooms/test-ed/single/admit", {}, auth(tokens[i]));
    }));
  std::vector<std::string> access;
  int full = 0;
  for (auto& f : fs) {
    auto r = f.get();
    ASSERT_TRUE(r);
    if (r->status == 200) access.push_back(json_field(r->body, "access_token"));
    else if (json_field(r->body, "code") == "room_full") {
      ++full;
      EXPECT_FALSE(r->header("retry-after").empty());
    }
  }
  EXPECT_EQ(access.size(), 5u);
  EXPECT_EQ(full, 15);
  EXPECT_EQ(redis.cli({"ZCARD", keys::active("test-ed", "single")}), "5");

  http_client c(port());
  auto hb = c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(access[0]));
  ASSERT_TRUE(hb);
  EXPECT_EQ(hb->status, 200);
  // Keep shopper 0 alive, let the others go quiet past the idle timeout.
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(access[0]))->status, 200);
  }
  auto dead = c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(access[1]));
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->status, 401);
  EXPECT_EQ(json_field(dead->body, "code"), "session_expired");
  // Their places went to the next fans: four more can be admitted, not five.
  int more = 0;
  for (int i = 0; i < fans; ++i) {
    auto r = c.request("POST", "/rooms/test-ed/single/admit", {}, auth(tokens[i]));
    more += r && r->status == 200;
  }
  EXPECT_EQ(redis.cli({"ZCARD", keys::active("test-ed", "single")}), "5");
  EXPECT_GE(more, 5);  // the live shopper gets its session back, plus four newcomers
}

// Admission and the first touch together: a heartbeat within a quarter of the idle timeout of the
// admission is answered from the access token (the admission started the idle clock); later ones
// go to Redis, and a session id without its minting time always does.
TEST_F(room_test, a_heartbeat_soon_after_admission_costs_redis_nothing) {
  phase("single").shopper_idle = 4000ms;
  start();
  auto metric = [&](const std::string& series) -> std::uint64_t {
    http_client m(port());
    auto r = m.request("GET", "/metrics");
    auto at = r ? r->body.find("\n" + series + " ") : std::string::npos;
    return at == std::string::npos ? 0 : std::stoull(r->body.substr(at + series.size() + 2));
  };
  const std::string touches = "guichet_redis_script_duration_seconds_count{script=\"room_touch\"}";
  const std::string from_token = "guichet_heartbeats_from_token_total";
  auto q = queue_token("hb-0");
  std::this_thread::sleep_for(100ms);  // serving passes the fan (rate 1000/s)
  http_client c(port());
  auto a = c.request("POST", "/rooms/test-ed/single/admit", {}, auth(q));
  ASSERT_TRUE(a && a->status == 200) << (a ? a->body : "no reply");
  const std::string access = json_field(a->body, "access_token");
  const auto t0 = std::chrono::steady_clock::now();
  auto hb = c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(access));
  ASSERT_TRUE(hb);
  ASSERT_LT(std::chrono::steady_clock::now() - t0, 900ms) << "too slow a machine to test the first quarter";
  EXPECT_EQ(hb->status, 200);
  EXPECT_EQ(json_field(hb->body, "status"), "active");
  EXPECT_EQ(metric(touches), 0u);
  EXPECT_EQ(metric(from_token), 1u);
  // Past the first quarter (1 s): Redis restarts the idle clock.
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(access))->status, 200);
  EXPECT_EQ(metric(touches), 1u);
  EXPECT_EQ(metric(from_token), 1u);
  // The window counts from the session id's minting, not from the token's expiry: a token that
  // looks just signed (another gateway's longer access_ttl, or one before a reload shortened it)
  // for a session minted 1.2 s ago goes to Redis.
  token_keyring ring(kSecrets.token_keys);
  auto sid = redis.cli({"HGET", keys::sessions("test-ed", "single"), "hb-0"});
  ASSERT_TRUE(session_minted_ms(sid).has_value()) << sid;
  const std::int64_t fresh = system_ms() + phase("single").access_ttl.count() - 200;
  EXPECT_EQ(c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(ring.sign(access_claims{"test-ed", "single", "hb-0", sid, fresh})))->status, 200);
  EXPECT_EQ(metric(touches), 2u);
  // A session an older release minted (16 random hex digits, no time): Redis is asked, and knows
  // the session, or not.
  redis.cli({"HSET", keys::sessions("test-ed", "single"), "hb-0", "fedcba9876543210"});
  auto old = ring.sign(access_claims{"test-ed", "single", "hb-0", "fedcba9876543210", fresh});
  EXPECT_EQ(c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(old))->status, 200);
  EXPECT_EQ(metric(touches), 3u);
  auto ghost = ring.sign(access_claims{"test-ed", "single", "hb-0", "0123456789abcdef", fresh});
  EXPECT_EQ(json_field(c.request("POST", "/rooms/test-ed/single/heartbeat", {}, auth(ghost))->body, "code"),
            "session_expired");
}

TEST_F(room_test, pre_queue_fans_are_shuffled_into_the_block_reserved_at_opening) {
  start();
  const int early = 12;
  std::vector<std::string> tokens;
  for (int i = 0; i < early; ++i) {
    draw("early-" + std::to_string(i), "soon");
    auto r = join("early-" + std::to_string(i));
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
    EXPECT_EQ(json_field(r->body, "pre_queue"), "true");
    EXPECT_EQ(json_field(r->body, "known"), "false");
    tokens.push_back(json_field(r->body, "queue_token"));
  }
  http_client c(port());
  auto before = c.request("GET", "/rooms/test-ed/packs/position", {}, auth(tokens[0]));
  EXPECT_EQ(json_field(before->body, "known"), "false");
  EXPECT_EQ(json_int(before->body, "opens_ms"), now + 1'500);
  std::this_thread::sleep_for(2s);  // the slot opens
  std::vector<long long> pos;
  for (auto& t : tokens) {
    auto r = c.request("GET", "/rooms/test-ed/packs/position", {}, auth(t));
    ASSERT_TRUE(r && r->status == 200);
    ASSERT_EQ(json_field(r->body, "known"), "true") << r->body;
    pos.push_back(json_int(r->body, "position"));
  }
  auto sorted = pos;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < early; ++i) EXPECT_EQ(sorted[i], sorted[0] + i);  // exactly the block
  EXPECT_NE(pos, sorted) << "12 fans kept their join order: no shuffle happened (1 in 479001600)";
  draw("late", "soon");
  auto late = join("late");
  ASSERT_TRUE(late && late->status == 200);
  EXPECT_EQ(json_field(late->body, "pre_queue"), "false");
  EXPECT_EQ(json_int(late->body, "position"), sorted.back() + 1);  // FIFO after the block
}

// Dead reckoning: the public state says when the counter passes a place; an early admission is
// refused from the gateway's view and says when to come back; coming back then gets in.
TEST_F(room_test, the_turn_is_predicted_from_the_state_and_an_early_admission_says_when) {
  phase("single").admit_rate = 20;
  start();
  std::vector<std::string> tokens;
  for (int i = 0; i < 30; ++i) tokens.push_back(queue_token("dr-" + std::to_string(i)));
  const std::string token = tokens.back();
  http_client c(port());
  auto pos = c.request("GET", "/rooms/test-ed/single/position", {}, auth(token));
  const long long position = json_int(pos->body, "position");
  std::string st;
  for (int i = 0; i < 100 && json_int(st, "tail") < 30; ++i) {  // the joins, in the next refresh
    std::this_thread::sleep_for(20ms);
    st = state();
  }
  ASSERT_EQ(json_field(st, "outflow"), "moving") << st;
  EXPECT_EQ(json_int(st, "refresh_ms"), 50);
  room_state s;
  s.now_ms = json_int(st, "computed_ms"), s.serving = static_cast<std::uint64_t>(json_int(st, "serving")), s.rate = 20;
  ASSERT_GT(s.now_ms, now - 1000) << st;
  ASSERT_LT(static_cast<long long>(s.serving), position) << "the counter passed the last fan already";
  const std::int64_t turn = turn_ms(s, static_cast<std::uint64_t>(position));

  auto early = c.request("POST", "/rooms/test-ed/single/admit", {}, auth(token));
  ASSERT_TRUE(early);
  ASSERT_EQ(early->status, 409) << early->body;
  EXPECT_EQ(json_field(early->body, "code"), "not_yet");
  EXPECT_FALSE(early->header("retry-after").empty());
  const long long wait = json_int(early->body, "retry_after_ms");
  const std::int64_t asked = system_ms();
  // The moment it names: the predicted turn plus one refresh, seen from this gateway's view.
  EXPECT_NEAR(static_cast<double>(asked + wait), static_cast<double>(turn + 50), 120.0) << early->body;

  std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  int refused = 0;
  for (;;) {
    auto r = c.request("POST", "/rooms/test-ed/single/admit", {}, auth(token));
    ASSERT_TRUE(r);
    if (r->status == 200) break;
    ASSERT_EQ(json_field(r->body, "code"), "not_yet") << r->body;
    ASSERT_LT(++refused, 5) << "still refused 5 times after the moment it named";
    std::this_thread::sleep_for(std::chrono::milliseconds(json_int(r->body, "retry_after_ms")));
  }
  const std::int64_t in = system_ms();
  EXPECT_GE(in, turn - 1000 / 20 - 10) << "admitted before the counter could have passed the place";
  EXPECT_LE(in, turn + 3 * 50 + 100) << "admitted late: " << refused << " more refusals";

  // A held line has nothing to predict: the refusal names no moment, the fan polls the state.
  auto pause = c.request("POST", "/admin/rooms/test-ed/single", R"({"action":"pause"})",
                         "Content-Type: application/json\r\n" + auth(kSecrets.admin_key));
  ASSERT_TRUE(pause && pause->status == 200) << (pause ? pause->body : "");
  const std::string later = queue_token("dr-after-pause");  // behind the counter, which stopped
  for (int i = 0; i < 100 && json_field(state(), "outflow") != "paused"; ++i) std::this_thread::sleep_for(20ms);
  auto r = c.request("POST", "/rooms/test-ed/single/admit", {}, auth(later));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(json_field(r->body, "code"), "not_yet");
  EXPECT_FALSE(r->header("retry-after").empty());
  EXPECT_EQ(json_field(r->body, "retry_after_ms"), "") << r->body;
  EXPECT_EQ(json_field(state(), "outflow"), "paused");
}

// A slot's pre-queue block waits [rooms] opening_grace after the opening: its fans learn the
// shuffle from the cached state first; the state gives the opening, and the counter's moment.
TEST_F(room_test, the_pre_queue_block_is_entered_after_the_opening_grace) {
  cfg.opening_grace = 1500ms;
  start();
  for (int i = 0; i < 5; ++i) {
    draw("grace-" + std::to_string(i), "soon");
    ASSERT_EQ(join("grace-" + std::to_string(i))->status, 200);
  }
  auto soon = [&] {  // the "soon" slot's part of the state
    auto st = state(0, "packs");
    auto at = st.find("\"id\":\"soon\"");
    return at == std::string::npos ? std::string() : st.substr(at);
  };
  std::string st;
  for (int i = 0; i < 100 && json_field(st, "opened_ms").empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    st = soon();
  }
  const long long opened = json_int(st, "opened_ms"), base = json_int(st, "base");
  ASSERT_GT(opened, 0) << st;
  EXPECT_EQ(json_int(state(0, "packs"), "opening_grace_ms"), 1500);
  // Inside the grace: the counter waits at the block's base, though the rate would pass it in 5 ms.
  while (system_ms() < opened + 1200) {
    EXPECT_EQ(json_int(state(0, "packs"), "serving"), base);
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(opened + 1500 + 200 - system_ms()));
  EXPECT_EQ(json_int(state(0, "packs"), "serving"), base + 5);  // then the whole block, in order
}

TEST_F(room_test, pre_queue_order_is_uniform_over_many_openings) {
  // 300 slots open at once, each with 5 fans in its pre-queue; where the first joiner of each
  // slot lands within its block must be uniform (chi-square, 4 degrees of freedom).
  const int openings = 300, per = 5;
  auto& p = phase("packs");
  p.slots.clear();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  const std::int64_t window_ms = 30'000;  // 1,500 joins through a sanitized gateway take longer
#else
  const std::int64_t window_ms = 4'000;
#endif
  const std::int64_t opening = now + window_ms;
  for (int j = 0; j < openings; ++j) p.slots.push_back({"o" + std::to_string(j), opening, 1h, ""});
  start();
  std::vector<std::string> hset{"HSET", keys::draw("test-ed", "packs")};
  for (int j = 0; j < openings; ++j)
    for (int k = 0; k < per; ++k) hset.insert(hset.end(), {"f" + std::to_string(j) + "-" + std::to_string(k), "o" + std::to_string(j)});
  redis.cli(hset);
  http_client c(port());
  std::vector<std::vector<std::string>> tokens(openings);
  for (int k = 0; k < per; ++k)  // k-th joiner of every slot gets local number k
    for (int j = 0; j < openings; ++j) {
      auto r = c.request("POST", "/rooms/test-ed/packs/join", {}, auth(jwt("f" + std::to_string(j) + "-" + std::to_string(k))));
      ASSERT_TRUE(r && r->status == 200);
      if (system_ms() >= opening) GTEST_SKIP() << "the joins took longer than the pre-queue window";
      ASSERT_EQ(json_field(r->body, "pre_queue"), "true");
      tokens[j].push_back(json_field(r->body, "queue_token"));
    }
  // 1,500 joins must fit before the opening; a sanitizer build can be too slow for that.
  if (system_ms() >= opening) GTEST_SKIP() << "the joins took longer than the pre-queue window";
  while (system_ms() < opening + 500) std::this_thread::sleep_for(50ms);
  std::vector<int> bins(per);
  std::set<long long> all;
  for (int j = 0; j < openings; ++j) {
    std::vector<long long> pos;
    for (auto& t : tokens[j]) {
      std::optional<test::http_reply> r;
      for (int tries = 0; tries < 500; ++tries) {
        r = c.request("GET", "/rooms/test-ed/packs/position", {}, auth(t));
        if (r && json_field(r->body, "known") == "true") break;
        std::this_thread::sleep_for(20ms);
      }
      ASSERT_EQ(json_field(r->body, "known"), "true");
      pos.push_back(json_int(r->body, "position"));
      all.insert(pos.back());
    }
    bins[pos[0] - *std::min_element(pos.begin(), pos.end())]++;
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(openings * per));  // no two fans share a position
  double chi = 0, expected = double(openings) / per;
  for (int b : bins) chi += (b - expected) * (b - expected) / expected;
  EXPECT_LT(chi, 18.47) << bins[0] << " " << bins[1] << " " << bins[2] << " " << bins[3] << " " << bins[4];
}

TEST_F(room_test, draw_registration_is_once_per_account_and_only_inside_the_window) {
  start();
  http_client c(port());
  auto club = sign_jwt(kSecrets.jwt_key, test::claims("reg-1", now / 1000 + 600, R"(,"groups":["club","zeta"])"));
  auto first = c.request("POST", "/rooms/test-ed/packs/register", {}, auth(club));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201) << first->body;
  EXPECT_NE(first->body.find(R"("groups":["club","zeta"],"new":true)"), std::string::npos) << first->body;
  // Again, from another device and with other claims: the first registration stands.
  auto second = c.request("POST", "/rooms/test-ed/packs/register", {}, auth(jwt("reg-1")));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_NE(second->body.find(R"("groups":["club","zeta"],"new":false)"), std::string::npos) << second->body;
  EXPECT_EQ(redis.cli({"HGET", keys::registrations("test-ed", "packs"), "reg-1"}), "club,zeta");
  // A phase without a draw, or outside the window: refused.
  auto closed = c.request("POST", "/rooms/test-ed/single/register", {}, auth(jwt("reg-2")));
  EXPECT_EQ(closed->status, 403);
  EXPECT_EQ(json_field(closed->body, "code"), "registration_closed");
  EXPECT_EQ(c.request("POST", "/rooms/test-ed/packs/register", {}, "")->status, 401);
}

TEST_F(room_test, registration_window_bounds_are_enforced) {
  auto& p = phase("packs");
  p.registration_opens_ms = now + 3'600'000;  // not open yet
  p.registration_closes_ms = now + 7'200'000;
  start();
  http_client c(port());
  auto early = c.request("POST", "/rooms/test-ed/packs/register", {}, auth(jwt("reg-early")));
  EXPECT_EQ(early->status, 403);
  EXPECT_EQ(json_int(early->body, "opens_ms"), now + 3'600'000);
  EXPECT_EQ(redis.cli({"HLEN", keys::registrations("test-ed", "packs")}), "0");
}

TEST_F(room_test, tokens_for_another_room_are_refused) {
  start();
  auto t = queue_token("scope-1", "single");
  http_client c(port());
  auto r = c.request("GET", "/rooms/test-ed/packs/position", {}, auth(t));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(json_field(r->body, "code"), "token_scope");
  auto tampered = t;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(c.request("POST", "/rooms/test-ed/single/admit", {}, auth(tampered))->status, 401);
}

TEST_F(room_test, redis_down_keeps_polls_answering_and_refuses_joins_with_retry_after) {
  start();
  auto t = queue_token("down-1");
  redis.stop();
  std::this_thread::sleep_for(200ms);
  http_client c(port());
  auto s = c.request("GET", "/rooms/test-ed/single/state");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 200);
  auto p = c.request("GET", "/rooms/test-ed/single/position", {}, auth(t));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200);
  auto j = c.request("POST", "/rooms/test-ed/single/join", {}, auth(jwt("down-2")));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->status, 503);
  EXPECT_EQ(j->header("retry-after"), "1");
  auto a = c.request("POST", "/rooms/test-ed/single/admit", {}, auth(t));
  EXPECT_EQ(a->status, 503);
  redis.start();
  bool back = false;
  for (int i = 0; i < 200 && !back; ++i) {
    std::this_thread::sleep_for(50ms);
    auto r = c.request("POST", "/rooms/test-ed/single/join", {}, auth(jwt("down-2")));
    back = r && r->status == 200;
  }
  EXPECT_TRUE(back);
}

TEST_F(room_test, admin_pauses_resumes_and_tunes_and_reload_pushes_config) {
  phase("single").admit_rate = 5;
  start();
  http_client c(port());
  const std::string json = "Content-Type: application/json\r\n";
  auto post = [&](const std::string& body, const std::string& key = kSecrets.admin_key) {
    return c.request("POST", "/admin/rooms/test-ed/single", body, json + (key.empty() ? "" : auth(key)));
  };
  EXPECT_EQ(post(R"({"action":"pause"})", "")->status, 401);
  EXPECT_EQ(json_field(post(R"({"action":"pause"})", "wrong-key-0123456789abcd")->body, "code"), "admin_unauthorized");
  EXPECT_EQ(post(R"({"action":"explode"})")->status, 400);
  EXPECT_EQ(post(R"({"colour":"red"})")->status, 400);
  EXPECT_EQ(post(R"({"action":)")->status, 400);
  auto paused = post(R"({"action":"pause","admit_rate":7,"max_active":9})");
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->status, 200) << paused->body;
  EXPECT_EQ(json_field(paused->body, "status"), "paused");
  EXPECT_EQ(json_int(paused->body, "admit_rate"), 7);
  EXPECT_EQ(json_int(paused->body, "max_active"), 9);
  // Paused: the serving counter stands still while fans wait.
  for (int i = 0; i < 5; ++i) queue_token("pause-" + std::to_string(i));
  auto s0 = json_int(state(), "serving");
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(json_int(state(), "serving"), s0);
  EXPECT_EQ(post(R"({"action":"resume"})")->status, 200);
  std::this_thread::sleep_for(600ms);
  EXPECT_GT(json_int(state(), "serving"), s0) << redis.cli({"HGETALL", keys::room("test-ed", "single")}) << "\n" << state();
  // SIGHUP path: the config's values overwrite the live ones.
  auto reloaded = cfg;
  reloaded.editions[0].phases[1].admit_rate = 33;
  gws[0]->srv.reload(reloaded);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(json_int(state(), "admit_rate"), 33);
}

// Proof of work at the door: the state hands out the challenge, a join without a proof is 428,
// a proof for another account or a stale challenge is 403, a proof is used once, on any gateway.
TEST_F(room_test, join_asks_for_a_proof_of_work_and_takes_each_proof_once) {
  cfg.join_pow_bits = 12;
  start(2);
  auto st = state(0, "single");
  ASSERT_NE(st.find("\"pow\":{\"bits\":12,\"challenge\":\""), std::string::npos) << st;
  const std::string challenge = json_field(st, "challenge");
  ASSERT_EQ(challenge.size(), 22u);
  EXPECT_EQ(json_field(state(1, "single"), "challenge"), challenge) << "every gateway derives the same challenge";
  auto join_with = [&](const std::string& account, const std::string& proof, int gw = 0) {
    http_client c(port(gw));
    return c.request("POST", "/rooms/test-ed/single/join", {},
                     auth(jwt(account)) + (proof.empty() ? "" : "Guichet-Pow: " + proof + "\r\n"));
  };
  auto none = join_with("pow-fan-1", "");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 428);
  EXPECT_EQ(json_field(none->body, "code"), "pow_required");
  EXPECT_EQ(json_field(none->body, "challenge"), challenge) << "the refusal says what to solve";
  EXPECT_EQ(none->header("cache-control"), "private, no-store");

  auto other = pow::solve(challenge, "pow-fan-2", 12);  // a proof for another account
  if (!pow::verify(challenge, "pow-fan-1", other, 12).ok) {  // (1 challenge in 4096 it would also do)
    EXPECT_EQ(json_field(join_with("pow-fan-1", challenge + ":" + other)->body, "code"), "pow_invalid");
  }
  auto stale = std::string(22, 'A');
  EXPECT_EQ(json_field(join_with("pow-fan-1", stale + ":" + pow::solve(stale, "pow-fan-1", 12))->body, "code"),
            "pow_invalid") << "a challenge the gateway did not hand out";
  EXPECT_EQ(json_field(join_with("pow-fan-1", challenge)->body, "code"), "pow_invalid") << "no nonce";

  const std::string proof = challenge + ":" + pow::solve(challenge, "pow-fan-1", 12);
  auto ok = join_with("pow-fan-1", proof);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto replayed = join_with("pow-fan-1", proof);
  EXPECT_EQ(json_field(replayed->body, "code"), "pow_replayed");
  EXPECT_EQ(json_field(replayed->body, "challenge"), challenge) << "the refusal says what to solve";
  EXPECT_EQ(json_field(join_with("pow-fan-1", proof, 1)->body, "code"), "pow_replayed") << "on another gateway too";
  // A fresh proof for the same account gets its one place back, unchanged.
  auto n1 = pow::solve(challenge, "pow-fan-1", 12);
  auto again = join_with("pow-fan-1", challenge + ":" + pow::solve(challenge, "pow-fan-1", 12, std::stoull(n1) + 1), 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(json_int(again->body, "position"), json_int(ok->body, "position"));
}

TEST_F(room_test, ops_turn_the_proof_of_work_on_and_off_live) {
  start();
  http_client c(port());
  auto post = [&](const std::string& body) {
    return c.request("POST", "/admin/rooms/test-ed/single", body, "Content-Type: application/json\r\n" + auth(kSecrets.admin_key));
  };
  EXPECT_EQ(join("live-1", "single")->status, 200);
  EXPECT_EQ(state(0, "single").find("\"pow\""), std::string::npos);
  EXPECT_EQ(post(R"({"join_pow_bits":33})")->status, 400);
  ASSERT_EQ(post(R"({"join_pow_bits":10})")->status, 200);
  std::this_thread::sleep_for(200ms);  // both workers' next refresh
  EXPECT_NE(state(0, "single").find("\"pow\":{\"bits\":10"), std::string::npos) << state(0, "single");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(join("live-2", "single")->status, 428) << "every worker asks";
  ASSERT_EQ(post(R"({"join_pow_bits":0})")->status, 200);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(join("live-2", "single")->status, 200);
}

}  // namespace
}  // namespace guichet
