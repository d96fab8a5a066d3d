#include "gateway/checkout/routes.hpp"

#include <simdjson.h>

#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "core/checkout.hpp"
#include "core/keys.hpp"
#include "core/clock.hpp"
#include "gateway/http/bearer.hpp"
#include "gateway/identity/access_token.hpp"
#include "gateway/checkout/availability_cache.hpp"
#include "gateway/checkout/hold_reaper.hpp"
#include "gateway/checkout/lua_tags.hpp"
#include "gateway/checkout/settlement.hpp"
#include "core/json_escape.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/http/reply.hpp"
#include "gateway/server/server.hpp"

namespace guichet::checkout {
namespace {

// Who is calling: the payment back end (service credential) or a shopper (access token).
struct caller {
  errc error = errc::ok;
  bool service = false;
  access_claims shopper;
};

caller identify(server::request_context& c, const edition_config& e, bool service_only) {
  caller who;
  if (http::bearer_is(c.req, c.w.secrets.payment_key)) {
    who.service = true;
    return who;
  }
  if (service_only) return {errc::service_unauthorized};
  auto a = identity::access_token(c.req, *c.w.tokens, system_ms(), e.id, {});
  if (!a) return {a.error};
  who.shopper = std::move(a.claims);
  return who;
}

net::awaitable<http::reply> create_hold(server::request_context& c) {
  auto v = c.req.version();
  auto& w = c.w;
  const edition_config* e = w.cfg.find_edition(c.params.get("edition"));
  const phase_config* p = e ? e->find_phase(c.params.get("phase")) : nullptr;
  if (!p) co_return http::error_response(v, errc::unknown_room);
  auto a = identity::access_token(c.req, *c.w.tokens, system_ms(), e->id, p->id);
  if (!a) co_return http::error_response(v, a.error);
  std::string_view idem = c.req["Idempotency-Key"];
  if (!valid_id(idem)) co_return http::error_response(v, errc::idempotency_key_required);

  // Lock-free guards: bots and double clicks stop here and cost Redis nothing.
  const auto& lim = w.cfg.limits;
  const std::string& account = a.claims.account;
  const std::uint64_t gk = guard_key(account.data(), account.size());
  const auto now_ms = static_cast<std::uint64_t>(system_ms());
  const auto now_s = static_cast<std::uint32_t>(now_ms / 1000);
  auto& srv = w.srv;
  if (srv.accounts().capped(gk, now_s)) co_return http::error_response(v, errc::limit_account, "\"left\":0");
  if (auto wait = srv.account_rate().acquire(gk, now_ms, lim.account_rate, lim.account_burst)) {
    w.stats.http.rate_limited.add();
    co_return http::error_response(v, errc::rate_limited, {}, {}, (wait + 999) / 1000);
  }
  long slot = srv.accounts().enter(gk, lim.account_inflight, now_s);
  if (slot == -1) co_return http::error_response(v, errc::too_many_inflight);
  inflight_place place(srv.accounts(), slot);

  std::vector<hold_item> items;
  if (!parse_hold_items(c.req.body(), items)) co_return http::error_response(v, errc::malformed_json);
  auto check = check_hold(*e, *p, items);
  if (check.error != errc::ok) co_return http::error_response(v, check.error, check.detail);

  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(w.rng()));
  const std::string& ed = e->id;
  std::vector<std::string> keys{keys::account(ed, account), keys::hold(ed, id), keys::hold_deadlines(ed),
                                keys::idempotency(ed, account, idem), keys::active(ed, p->id), keys::sessions(ed, p->id)};
  std::vector<std::string> sessions;
  session_keys(ed, items, keys, sessions);
  std::vector<std::string> args{id, account, p->id, a.claims.session, std::to_string(p->shopper_idle.count()),
                                std::to_string(e->limits.hold_ttl.count()), hold_fingerprint(p->id, items),
                                std::to_string(e->limits.per_account), std::to_string(items.size())};
  for (auto& i : items) {
    auto k = std::find(sessions.begin(), sessions.end(), i.session) - sessions.begin() + 1;
    args.insert(args.end(), {std::to_string(k), i.session, i.category, std::to_string(i.quantity)});
  }
  for (auto& s : sessions) {
    const session_config* sc = e->find_session(s);
    args.insert(args.end(), {s, std::to_string(session_limit(*e, *sc)), sc->ceremony ? "c" : "s"});
  }
  std::vector<std::string_view> kv(keys.begin(), keys.end()), av(args.begin(), args.end());
  auto r = co_await w.redis->eval(redis::script::hold, kv, av);
  if (r.ec || r.reply.elements.empty()) co_return http::error_response(v, redis_failure(r));
  const auto& el = r.reply.elements;
  const std::string& tag = el[0].str;
  auto str = [&](std::size_t i) { return i < el.size() ? el[i].str : std::string(); };
  if (tag == "held") {
    if (str(1) == id)  // made now (a replay of the Idempotency-Key returns the first hold)
      if (auto* ev = w.events(*e, *p)) ev->holds_created.add();
    auto res = http::json_response(v, http::status::created,
                             "{\"hold_id\":\"" + str(1) + "\",\"status\":\"held\",\"deadline_ms\":" + str(2) +
                                 ",\"items\":" + items_json(items) + "}");
    res.set(http::field::location, "/editions/" + ed + "/holds/" + str(1));
    co_return res;
  }
  if (tag == "limit_account" && std::atoll(str(1).c_str()) <= 0)  // remembered: the next try costs Redis nothing
    srv.accounts().mark_capped(gk, now_s + static_cast<std::uint32_t>(lim.cap_memory.count() / 1000), now_s);
  if (auto refused = refusal(v, hold_refusals, r.reply)) co_return std::move(*refused);
  co_return http::error_response(v, errc::internal);
}

// Reads a hold's owner and items (to name the keys its script needs).
struct hold_record {
  errc error = errc::ok;
  std::string account, status, phase, deadline, payment_ref;
  std::vector<hold_item> items;
};

net::awaitable<hold_record> read_hold(server::worker& w, const std::string& key) {
  std::string_view cmd[] = {"HMGET", key, "account", "status", "items", "phase", "deadline_ms", "payment_ref"};
  auto r = co_await w.redis->command(cmd);
  if (r.ec) co_return hold_record{redis::redis_failure(r)};
  const auto& el = r.reply.elements;
  if (el.size() != 6 || el[0].type != redis::redis_reply::kind::string) co_return hold_record{errc::hold_not_found};
  co_return hold_record{errc::ok, el[0].str, el[1].str, el[3].str, el[4].str, el[5].str, decode_items(el[2].str)};
}

bool valid_hold_id(std::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
}

net::awaitable<http::reply> get_hold(server::request_context& c) {
  auto v = c.req.version();
  const edition_config* e = c.w.cfg.find_edition(c.params.get("edition"));
  if (!e) co_return http::error_response(v, errc::unknown_room);
  auto who = identify(c, *e, false);
  if (who.error != errc::ok) co_return http::error_response(v, who.error);
  std::string id(c.params.get("id"));
  if (!valid_hold_id(id)) co_return http::error_response(v, errc::hold_not_found);
  auto h = co_await read_hold(c.w, keys::hold(e->id, id));
  if (h.error != errc::ok) co_return http::error_response(v, h.error);
  if (!who.service && h.account != who.shopper.account) co_return http::error_response(v, errc::hold_not_found);
  std::string b = "{\"hold_id\":\"" + id + "\",\"status\":\"" + h.status + "\",\"account\":\"" + h.account +
                  "\",\"phase\":\"" + h.phase + "\",\"deadline_ms\":" + h.deadline + ",\"items\":" + items_json(h.items);
  if (!h.payment_ref.empty()) {
    b += ",\"payment_ref\":\"";
    append_json_escaped(b, h.payment_ref);
    b += '"';
  }
  co_return http::json_response(v, http::status::ok, b + "}");
}

enum class settlement { confirm, release, demo_payment };

// confirm (service), release (owner or service) and the demo's stand-in payment (owner, only
// with [demo] payment) share the lookup and the key naming.
net::awaitable<http::reply> settle(server::request_context& c, settlement how) {
  auto v = c.req.version();
  auto& w = c.w;
  const bool demo = how == settlement::demo_payment, confirm = how != settlement::release;
  if (demo && !w.cfg.demo.payment) co_return http::error_response(v, errc::not_found);
  const edition_config* e = w.cfg.find_edition(c.params.get("edition"));
  if (!e) co_return http::error_response(v, errc::unknown_room);
  auto who = identify(c, *e, how == settlement::confirm);
  if (who.error != errc::ok) co_return http::error_response(v, who.error);
  if (demo && who.service) co_return http::error_response(v, errc::token_scope, {}, "the stand-in payment is the shopper's");
  std::string payment_ref;
  if (demo) {
    char ref[22];
    std::snprintf(ref, sizeof ref, "demo-%016llx", static_cast<unsigned long long>(w.rng()));
    payment_ref = ref;
  } else if (confirm) {
    thread_local simdjson::ondemand::parser parser;
    try {
      simdjson::padded_string body(c.req.body());
      auto doc = parser.iterate(body);
      std::string_view ref = doc["payment_ref"].get_string();
      payment_ref = ref;
    } catch (const simdjson::simdjson_error&) {
    }
    if (payment_ref.empty() || payment_ref.size() > 128)
      co_return http::error_response(v, errc::malformed_json, {}, "body must be {\"payment_ref\":\"...\"} (1-128 chars)");
  }
  std::string id(c.params.get("id"));
  if (!valid_hold_id(id)) co_return http::error_response(v, errc::hold_not_found);
  // One round trip: the script reads the hold, checks its owner and names its other keys.
  std::string hold = keys::hold(e->id, id), deadlines = keys::hold_deadlines(e->id), prefix = keys::prefix(e->id);
  const std::string owner = who.service ? std::string() : who.shopper.account;
  std::string_view kv[] = {hold, deadlines};
  std::vector<std::string_view> av;
  if (confirm) av = {id, payment_ref, prefix, owner};
  else av = {"release", owner, id, prefix};
  auto r = co_await w.redis->eval(confirm ? redis::script::confirm : redis::script::release, kv, av);
  if (r.ec || r.reply.elements.empty()) co_return http::error_response(v, redis_failure(r));
  const std::string& tag = r.reply.elements[0].str;
  count_settlement(w, *e, r.reply);
  if (confirm) {
    if (tag == "confirmed") {
      std::string b = "{\"hold_id\":\"" + id + "\",\"status\":\"confirmed\",\"payment_ref\":\"";
      append_json_escaped(b, r.reply.elements.size() > 1 ? r.reply.elements[1].str : payment_ref);
      co_return http::json_response(v, http::status::ok, b + "\"}");
    }
    if (auto refused = refusal(v, confirm_refusals, r.reply)) co_return std::move(*refused);
    co_return http::error_response(v, errc::hold_released);
  }
  if (auto refused = refusal(v, release_refusals, r.reply)) co_return std::move(*refused);
  co_return http::json_response(v, http::status::ok, "{\"hold_id\":\"" + id + "\",\"status\":\"" + tag + "\"}");
}

net::awaitable<http::reply> confirm(server::request_context& c) { return settle(c, settlement::confirm); }
net::awaitable<http::reply> release(server::request_context& c) { return settle(c, settlement::release); }
net::awaitable<http::reply> demo_payment(server::request_context& c) { return settle(c, settlement::demo_payment); }

// What a shop page needs to know of a phase's rules (from config: the same for everyone).
net::awaitable<http::reply> phase_rules_of(server::request_context& c) {
  auto v = c.req.version();
  const edition_config* e = c.w.cfg.find_edition(c.params.get("edition"));
  const phase_config* p = e ? e->find_phase(c.params.get("phase")) : nullptr;
  if (!p) co_return http::error_response(v, errc::unknown_room);
  std::string b = "{\"edition\":" + json_quoted(e->id) + ",\"phase\":" + json_quoted(p->id) + ",\"rules\":\"" +
                  (p->rules == phase_rules::packs ? "packs" : "single") + "\"";
  if (p->rules == phase_rules::packs) b += ",\"pack_sessions\":3";
  b += ",\"per_account\":" + std::to_string(e->limits.per_account) +
       ",\"per_session\":" + std::to_string(e->limits.per_session) +
       ",\"per_ceremony\":" + std::to_string(e->limits.per_ceremony) +
       ",\"hold_ttl_ms\":" + std::to_string(e->limits.hold_ttl.count()) +
       ",\"shopper_idle_ms\":" + std::to_string(p->shopper_idle.count()) + ",\"draw\":" + (p->draw ? "true" : "false");
  if (p->registration_closes_ms)
    b += ",\"registration\":{\"opens_ms\":" + std::to_string(p->registration_opens_ms) +
         ",\"closes_ms\":" + std::to_string(p->registration_closes_ms) + "}";
  b += ",\"excluded\":[";
  for (std::size_t i = 0; i < p->excluded.size(); ++i) b += (i ? "," : "") + json_quoted(p->excluded[i]);
  b += "],\"demo_payment\":";
  b += c.w.cfg.demo.payment ? "true" : "false";
  co_return http::json_response(v, http::status::ok, b + "}");
}

// The shopper's own counts (held + sold, across all phases) against the edition's limits.
net::awaitable<http::reply> account_of(server::request_context& c) {
  auto v = c.req.version();
  const edition_config* e = c.w.cfg.find_edition(c.params.get("edition"));
  if (!e) co_return http::error_response(v, errc::unknown_room);
  auto a = identity::access_token(c.req, *c.w.tokens, system_ms(), e->id, {});
  if (!a) co_return http::error_response(v, a.error);
  std::string key = keys::account(e->id, a.claims.account);
  std::string_view cmd[] = {"HGETALL", key};
  auto r = co_await c.w.redis->command(cmd);
  if (r.ec) co_return http::error_response(v, redis_failure(r));
  std::uint64_t total = 0;
  std::string sessions;
  const auto& el = r.reply.elements;
  for (std::size_t i = 0; i + 1 < el.size(); i += 2) {
    std::uint64_t n = std::strtoull(el[i + 1].str.c_str(), nullptr, 10);
    if (el[i].str == "total") total = n;
    else if (el[i].str.starts_with("s:") && n > 0)
      sessions += (sessions.empty() ? "" : ",") + json_quoted(el[i].str.substr(2)) + ":" + std::to_string(n);
  }
  const std::uint64_t limit = e->limits.per_account;
  co_return http::json_response(v, http::status::ok,
                          "{\"account\":" + json_quoted(a.claims.account) + ",\"tickets\":" + std::to_string(total) +
                              ",\"per_account\":" + std::to_string(limit) + ",\"left\":" +
                              std::to_string(total >= limit ? 0 : limit - total) + ",\"sessions\":{" + sessions + "}}");
}

net::awaitable<http::reply> availability(server::request_context& c) {
  auto v = c.req.version();
  const std::string* body = c.w.state<availability_cache>().availability(c.params.get("edition"));
  if (!c.w.cfg.find_edition(c.params.get("edition"))) co_return http::error_response(v, errc::unknown_room);
  if (!body) co_return http::error_response(v, errc::unavailable);
  co_return http::json_response(v, http::status::ok, *body);
}

}  // namespace

void add_checkout_routes(server::route_table& t) {
  t.per_thread_state<availability_cache>();
  t.per_thread_state<hold_reaper>();
  t.add(http::verb::post, "/editions/{edition}/phases/{phase}/holds", "hold_create",
        {.max_body = 4096, .json_body = true, .needs_redis = true}, create_hold);
  t.add(http::verb::get, "/editions/{edition}/holds/{id}", "hold_get", {.max_body = 1, .needs_redis = true}, get_hold);
  t.add(http::verb::post, "/editions/{edition}/holds/{id}/confirm", "hold_confirm",
        {.max_body = 1024, .json_body = true, .needs_redis = true}, confirm);
  t.add(http::verb::delete_, "/editions/{edition}/holds/{id}", "hold_release", {.max_body = 1, .needs_redis = true},
        release);
  t.add(http::verb::get, "/editions/{edition}/availability", "availability",
        {.unmetered = true, .cache = http::cache_rule::public_1s}, availability);
  t.add(http::verb::get, "/editions/{edition}/phases/{phase}/rules", "phase_rules",
        {.max_body = 1, .unmetered = true, .cache = http::cache_rule::public_page}, phase_rules_of);
  t.add(http::verb::get, "/editions/{edition}/account", "account", {.max_body = 1, .needs_redis = true}, account_of);
  t.add(http::verb::post, "/editions/{edition}/holds/{id}/demo-payment", "hold_demo_payment",
        {.max_body = 1024, .needs_redis = true}, demo_payment);
}

}  // namespace guichet::checkout
