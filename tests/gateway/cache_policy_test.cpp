// Trust boundary with a CDN in front: every answer says whether a shared cache may keep it, and
// nothing personal ever may. The route walk covers every route of the gateway's route table, on
// success and on error; the proxy test puts a real nginx with a default TTL for 200 answers in
// front and shows that no fan is ever served another fan's answer.
#include <gtest/gtest.h>

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
#include "gateway/pages/routes.hpp"
#include "gateway/pages/site.hpp"
#include "gateway/server/worker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/jwt_mint.hpp"
#include "tests/support/nginx_proxy.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_gateway.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::http_client;
using test::http_reply;
using test::json_field;

const identity::runtime_secrets& kSecrets = test::test_secrets();

// The only answers a shared cache may keep (the same bytes for everyone), and for how long.
const std::map<std::string, std::string> kPublicRoutes = {
    {"room_state", "public, max-age=1"},      {"availability", "public, max-age=1"},
    {"phase_rules", "public, max-age=60"},    {"page_register", "public, max-age=60"},
    {"page_wait", "public, max-age=60"},      {"page_shop", "public, max-age=60"},
    {"static_asset", "public, max-age=31536000, immutable"}};

class cache_policy_test : public ::testing::Test {
 protected:
  cache_policy_test() : now(system_ms()) {
    cfg = test::test_config(redis.port());
    cfg.room_refresh = 50ms;
    edition_config e{"walk", "Walk", {}};
    e.sessions = {{"S1", "", "", "", "", false, {{"A", 100}}}};
    phase_config single;
    single.id = "single";
    single.admit_rate = 1000;
    single.max_active = 1000;
    single.slots = {{"all", now - 60'000, 2h, ""}};
    phase_config drawn = single;
    drawn.id = "drawn";
    drawn.draw = true;
    drawn.registration_opens_ms = now - 3'600'000;
    drawn.registration_closes_ms = now + 3'600'000;
    e.phases = {single, drawn};
    cfg.editions = {e};
    std::ostringstream out;
    EXPECT_EQ(commands::load_inventory(cfg, out), 0) << out.str();
    server::route_table t;
    ops::add_ops_routes(t);
    room::add_room_routes(t);
    checkout::add_checkout_routes(t);
    site = pages::web_site::load(GUICHET_SOURCE_DIR "/web");
    pages::add_web_routes(t, site);
    cfg.demo.payment = true;
    gw = std::make_unique<test::test_gateway>(cfg, std::move(t), kSecrets);
    for (int i = 0; i < 500 && !gw->srv.ready(); ++i) std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(gw->srv.ready());
  }

  std::string jwt(const std::string& account) {
    return sign_jwt(kSecrets.jwt_key, test::claims(account, now / 1000 + 3600));
  }
  static std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

  std::optional<http_reply> call(int port, const std::string& method, const std::string& target,
                                 const std::string& headers = {}, const std::string& body = {}) {
    http_client c(port);
    return c.request(method, target, body, headers + (body.empty() ? "" : "Content-Type: application/json\r\n"));
  }

  /// A fan through the waiting room into the shop: its queue token and its access token.
  std::pair<std::string, std::string> admitted(int port, const std::string& account) {
    auto j = call(port, "POST", "/rooms/walk/single/join", bearer(jwt(account)));
    EXPECT_TRUE(j && j->status == 200) << (j ? j->body : "no reply");
    std::string queue = j ? json_field(j->body, "queue_token") : "";
    for (int i = 0; i < 200; ++i) {
      auto a = call(port, "POST", "/rooms/walk/single/admit", bearer(queue));
      if (a && a->status == 200) return {queue, json_field(a->body, "access_token")};
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << account << " was never admitted";
    return {queue, ""};
  }

  std::string hold(int port, const std::string& access, const std::string& key) {
    auto h = call(port, "POST", "/editions/walk/phases/single/holds", bearer(access) + "Idempotency-Key: " + key + "\r\n",
                  R"({"items":[{"session":"S1","category":"A","quantity":1}]})");
    EXPECT_TRUE(h && h->status == 201) << (h ? h->body : "no reply");
    return h ? json_field(h->body, "hold_id") : "";
  }

  test::redis_server redis;
  std::int64_t now;
  config cfg;
  std::shared_ptr<const pages::web_site> site;
  std::unique_ptr<test::test_gateway> gw;
};

TEST_F(cache_policy_test, every_route_says_what_a_cache_may_keep_on_success_and_on_error) {
  const int port = gw->port();
  // route name -> Cache-Control seen on its successes / on its errors.
  std::map<std::string, std::set<std::string>> ok, err;
  auto seen = [&](const std::string& route, const std::optional<http_reply>& r, bool want_success) {
    ASSERT_TRUE(r) << route;
    EXPECT_EQ(r->header("date").size(), 29u) << route << ": every answer carries Date (RFC 9110 6.6.1)";
    EXPECT_EQ(r->header("x-content-type-options"), "nosniff") << route;
    EXPECT_EQ(r->header("referrer-policy"), "no-referrer") << route;
    EXPECT_EQ(r->header("content-security-policy").rfind("default-src 'none'; script-src 'self';", 0), 0u) << route;
    if (want_success) {
      EXPECT_LT(r->status, 400) << route << ": " << r->body;
      ok[route].insert(r->header("cache-control"));
    } else {
      EXPECT_GE(r->status, 400) << route << ": " << r->body;
      err[route].insert(r->header("cache-control"));
    }
  };
  const std::string admin = bearer(kSecrets.admin_key), payment = bearer(kSecrets.payment_key);

  seen("healthz", call(port, "GET", "/healthz"), true);
  seen("healthz", call(port, "POST", "/healthz"), false);  // 405 on the route's path
  seen("readyz", call(port, "GET", "/readyz"), true);
  seen("readyz", call(port, "DELETE", "/readyz"), false);
  seen("metrics", call(port, "GET", "/metrics"), true);
  seen("metrics", call(port, "POST", "/metrics"), false);

  auto st = call(port, "GET", "/rooms/walk/single/state");
  seen("room_state", st, true);
  seen("room_state", call(port, "GET", "/rooms/walk/single/state", "If-None-Match: " + st->header("etag") + "\r\n"),
       true);  // 304
  seen("room_state", call(port, "GET", "/rooms/walk/nope/state"), false);

  seen("draw_register", call(port, "POST", "/rooms/walk/drawn/register", bearer(jwt("fan-r"))), true);
  seen("draw_register", call(port, "POST", "/rooms/walk/drawn/register"), false);

  seen("room_join", call(port, "POST", "/rooms/walk/single/join", bearer(jwt("fan-j"))), true);
  seen("room_join", call(port, "POST", "/rooms/walk/single/join", bearer("not.a.jwt")), false);

  auto [queue, access] = admitted(port, "fan-a");
  // Again, the same shopper: 200 with its live session. Each worker has its own view of the room,
  // up to one refresh behind: a worker that has not yet seen the fan's turn answers not_yet
  // (without asking Redis) until it catches up, as docs/waiting-room.md says.
  std::optional<http_reply> again;
  for (int i = 0; i < 100; ++i) {
    again = call(port, "POST", "/rooms/walk/single/admit", bearer(queue));
    if (again && again->status == 200) break;
    std::this_thread::sleep_for(20ms);
  }
  seen("room_admit", again, true);
  seen("room_admit", call(port, "POST", "/rooms/walk/single/admit"), false);
  seen("room_position", call(port, "GET", "/rooms/walk/single/position", bearer(queue)), true);
  seen("room_position", call(port, "GET", "/rooms/walk/single/position", bearer(queue + "x")), false);
  seen("room_heartbeat", call(port, "POST", "/rooms/walk/single/heartbeat", bearer(access)), true);
  seen("room_heartbeat", call(port, "POST", "/rooms/walk/single/heartbeat", bearer(queue)), false);

  seen("admin_room", call(port, "POST", "/admin/rooms/walk/single", admin, R"({"admit_rate":1000})"), true);
  seen("admin_room", call(port, "POST", "/admin/rooms/walk/single", {}, R"({"admit_rate":1000})"), false);

  std::string id1 = hold(port, access, "k1"), id2 = hold(port, access, "k2");
  seen("hold_create",
       call(port, "POST", "/editions/walk/phases/single/holds", bearer(access) + "Idempotency-Key: k1\r\n",
            R"({"items":[{"session":"S1","category":"A","quantity":1}]})"),
       true);  // a replay answers the first hold
  seen("hold_create", call(port, "POST", "/editions/walk/phases/single/holds", "Idempotency-Key: k3\r\n", "{}"), false);
  seen("hold_get", call(port, "GET", "/editions/walk/holds/" + id1, bearer(access)), true);
  seen("hold_get", call(port, "GET", "/editions/walk/holds/" + id1), false);
  seen("hold_confirm", call(port, "POST", "/editions/walk/holds/" + id1 + "/confirm", payment, R"({"payment_ref":"p1"})"),
       true);
  seen("hold_confirm", call(port, "POST", "/editions/walk/holds/" + id1 + "/confirm", bearer(access),
                            R"({"payment_ref":"p1"})"),
       false);  // a shopper cannot confirm
  seen("hold_release", call(port, "DELETE", "/editions/walk/holds/" + id2, bearer(access)), true);
  seen("hold_release", call(port, "DELETE", "/editions/walk/holds/" + id2), false);
  std::string id3 = hold(port, access, "k3");
  seen("hold_demo_payment", call(port, "POST", "/editions/walk/holds/" + id3 + "/demo-payment", bearer(access)), true);
  seen("hold_demo_payment", call(port, "POST", "/editions/walk/holds/" + id3 + "/demo-payment", payment), false);
  seen("account", call(port, "GET", "/editions/walk/account", bearer(access)), true);
  seen("account", call(port, "GET", "/editions/walk/account", bearer(queue)), false);
  seen("phase_rules", call(port, "GET", "/editions/walk/phases/single/rules"), true);
  seen("phase_rules", call(port, "GET", "/editions/walk/phases/nope/rules"), false);
  for (std::string page : {"register", "wait", "shop"}) {
    auto r = call(port, "GET", "/" + page + "/walk/single");
    seen("page_" + page, r, true);
    seen("page_" + page, call(port, "GET", "/" + page + "/walk/single", "If-None-Match: " + r->header("etag") + "\r\n"), true);
    seen("page_" + page, call(port, "GET", "/" + page + "/walk/nope"), false);
  }
  seen("static_asset", call(port, "GET", site->url("common.js")), true);
  seen("static_asset", call(port, "GET", "/static/common.0000000000.js"), false);

  std::optional<http_reply> av;
  for (int i = 0; i < 100 && !(av && av->status == 200); ++i, std::this_thread::sleep_for(20ms))
    av = call(port, "GET", "/editions/walk/availability");
  seen("availability", av, true);
  seen("availability", call(port, "GET", "/editions/nope/availability"), false);

  const auto& routes = gw->srv.routes().routes;
  ASSERT_GT(routes.size(), 10u);
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const std::string& name = routes.name(i);
    ASSERT_TRUE(ok.count(name)) << "route " << name << " has no success case in this walk: add one";
    ASSERT_TRUE(err.count(name)) << "route " << name << " has no error case in this walk: add one";
    for (auto& cc : ok[name]) {
      if (kPublicRoutes.count(name))
        EXPECT_EQ(cc, kPublicRoutes.at(name)) << name;
      else
        EXPECT_EQ(cc, "private, no-store") << name << " is personal or ops: a shared cache must never keep it";
    }
    for (auto& cc : err[name]) EXPECT_EQ(cc, "private, no-store") << name << " (error)";
  }
}

TEST_F(cache_policy_test, a_caching_proxy_with_a_default_ttl_never_serves_one_fans_answer_to_another) {
  ASSERT_TRUE(test::nginx_available()) << "nginx is not installed (Debian nginx-light): make test installs it";
  test::nginx_proxy cdn(gw->port());  // proxy_cache_valid 200 10s: caches any 200 the origin allows
  const int port = cdn.port();
  auto [queue, access] = admitted(port, "fan-a");
  std::string id = hold(port, access, "ka");
  ASSERT_FALSE(id.empty());

  // Fan A's own requests, each twice (the second would be a HIT if the proxy had kept the first),
  // then the same URL asked by an anonymous client and by fan B.
  auto [queue_b, access_b] = admitted(port, "fan-b");
  struct personal_call {
    std::string method, target, body, a_headers, b_headers;
  };
  const std::vector<personal_call> calls = {
      {"GET", "/editions/walk/holds/" + id, "", bearer(access), bearer(access_b)},
      {"GET", "/rooms/walk/single/position", "", bearer(queue), bearer(queue_b)},
      {"POST", "/rooms/walk/single/heartbeat", "", bearer(access), bearer(access_b)},
      {"POST", "/rooms/walk/single/admit", "", bearer(queue), bearer(queue_b)},
      {"POST", "/rooms/walk/single/join", "", bearer(jwt("fan-a")), bearer(jwt("fan-b"))},
      {"POST", "/rooms/walk/drawn/register", "", bearer(jwt("fan-a")), bearer(jwt("fan-b"))},
      {"GET", "/metrics", "", "", ""},
      {"GET", "/healthz", "", "", ""},
      {"GET", "/readyz", "", "", ""},
  };
  for (auto& c : calls) {
    auto a1 = call(port, c.method, c.target, c.a_headers, c.body);
    auto a2 = call(port, c.method, c.target, c.a_headers, c.body);
    ASSERT_TRUE(a1 && a2) << c.target;
    EXPECT_LT(a1->status, 400) << c.target << ": " << a1->body;
    EXPECT_NE(a2->header("x-cache-status"), "HIT") << c.method << " " << c.target << " was kept by the proxy";
    auto anon = call(port, c.method, c.target);
    ASSERT_TRUE(anon);
    EXPECT_NE(anon->header("x-cache-status"), "HIT") << c.target;
    if (!c.a_headers.empty()) {
      EXPECT_GE(anon->status, 400) << c.method << " " << c.target << " served without credentials: " << anon->body;
      auto b = call(port, c.method, c.target, c.b_headers);
      ASSERT_TRUE(b);
      EXPECT_NE(b->header("x-cache-status"), "HIT") << c.target;
      EXPECT_EQ(b->body.find("fan-a"), std::string::npos) << c.target << " gave fan B fan A's answer: " << b->body;
    }
  }
  // Confirm and release too: the payment back end's answer and the owner's, never kept.
  auto conf = call(port, "POST", "/editions/walk/holds/" + id + "/confirm", bearer(kSecrets.payment_key),
                   R"({"payment_ref":"pa"})");
  ASSERT_TRUE(conf && conf->status == 200) << (conf ? conf->body : "");
  EXPECT_EQ(conf->header("cache-control"), "private, no-store");
  auto after = call(port, "GET", "/editions/walk/holds/" + id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401) << after->body;

  // The proxy does cache what is public: the room state is a HIT on the second ask.
  call(port, "GET", "/rooms/walk/single/state");
  auto st = call(port, "GET", "/rooms/walk/single/state");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 200);
  EXPECT_EQ(st->header("x-cache-status"), "HIT") << "the public room state should be served by the cache";
}

}  // namespace
}  // namespace guichet
