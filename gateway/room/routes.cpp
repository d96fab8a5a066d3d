#include "gateway/room/routes.hpp"

#include <simdjson.h>

#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cstdio>

#include "core/append_int.hpp"
#include "core/audit.hpp"
#include "core/json_escape.hpp"
#include "core/keys.hpp"
#include "core/pow.hpp"
#include "core/shopper_session.hpp"
#include "core/clock.hpp"
#include "gateway/http/bearer.hpp"
#include "gateway/identity/access_token.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/room/lua_tags.hpp"
#include "gateway/room/room_cache.hpp"
#include "gateway/http/reply.hpp"
#include "gateway/server/server.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::room {
namespace {

/// A join's proof of work: "Guichet-Pow: <challenge>:<nonce>".
constexpr std::string_view pow_header = "Guichet-Pow";


using room = room_cache::room;

std::string slot_json(const slot_config& s) {
  return "{\"id\":\"" + s.id + "\",\"start_ms\":" + std::to_string(s.start_ms) + ",\"end_ms\":" +
         std::to_string(s.end_ms()) + "}";
}

// The room a request's path names ({edition}/{phase}) in this worker's cache, or null.
room_cache::room* room_of(server::request_context& c) {
  return c.w.state<room_cache>().find(c.params.get("edition"), c.params.get("phase"));
}

http::reply with_retry(http::reply r, std::int64_t seconds) {
  r.res->set(http::field::retry_after, std::to_string(std::clamp<std::int64_t>(seconds, 1, 60)));
  return r;
}

// The members of a fan's place in the room (no braces), appended with no temporary strings:
// the position poll is written straight into the session's reused string.
void append_position_json(std::string& b, const room& r, std::string_view slot, const position_info& p) {
  using namespace std::string_view_literals;  // sized literals: no strlen per append
  b += "\"status\":\""sv;
  b += to_string(status_of(*r.phase, r.state, r.state.now_ms));
  b += "\",\"slot\":\""sv;
  b += slot;
  b += p.known ? "\",\"known\":true"sv : "\",\"known\":false"sv;
  if (p.known) {
    b += ",\"position\":"sv;
    append_int(b, p.position);
    b += ",\"ahead\":"sv;
    append_int(b, p.ahead);
    b += ",\"eta_seconds\":"sv;
    append_int(b, p.eta_seconds);
  } else if (auto* s = r.phase->find_slot(slot)) {
    b += ",\"opens_ms\":"sv;
    append_int(b, s->start_ms);
  }
  b += ",\"serving\":"sv;
  append_int(b, r.state.serving);
  b += p.admissible ? ",\"admissible\":true"sv : ",\"admissible\":false"sv;
}

std::string position_json(const room& r, std::string_view slot, const position_info& p) {
  std::string b;
  append_position_json(b, r, slot, p);
  return b;
}

// When a fan told not_yet should try again, while the line moves: the moment the counter passes
// its place (dead reckoning from this worker's view, less the view's age) plus one refresh (the
// counter moves at refreshes, and this view is a refresh behind at most); -1 when the line is
// held or the place unknown (nothing to predict: the fan polls the state). The age: since Redis
// computed the state by this host's clock (a follower takes it up to a round later), at least
// since this worker took it (clock skew).
std::int64_t retry_after_ms(const room& r, const position_info& p, milliseconds refresh) {
  if (!p.known || outflow_of(*r.phase, r.state) != outflow::moving) return -1;
  auto age = std::max<std::int64_t>(system_ms() - r.state.now_ms,
                                    std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - r.applied).count());
  return std::clamp<std::int64_t>(turn_ms(r.state, p.position) - r.state.now_ms - age + refresh.count(), 50, 60'000);
}

// The organiser's identity token of the request.
identity_result fan_identity(server::request_context& c) {
  auto tok = http::bearer_token(c.req);
  if (tok.empty()) return {errc::token_missing, {}};
  return c.w.jwt->verify(tok, system_ms());
}

// Resolves the path's room and a queue token for it. The claims are views into `payload`:
// filled in place, never copied or moved (a copy's views would point into the original).
struct queue_ticket {
  queue_ticket() = default;
  queue_ticket(const queue_ticket&) = delete;  // a copy's claims would view the original's buffer
  queue_ticket& operator=(const queue_ticket&) = delete;
  room* r = nullptr;
  token_keyring::payload_buffer payload;
  queue_claims_view claims;
  position_info pos;
};

errc check_queue_token(server::request_context& c, queue_ticket& t) {
  t.r = room_of(c);
  if (!t.r) return errc::unknown_room;
  if (!t.r->loaded) return errc::unavailable;
  auto tok = http::bearer_token(c.req);
  if (tok.empty()) return errc::token_missing;
  auto v = c.w.tokens->verify_queue(tok, system_ms(), t.payload);
  if (!v) return v.error;
  if (v.claims.edition != t.r->edition->id || v.claims.phase != t.r->phase->id) return errc::token_scope;
  t.claims = v.claims;
  t.pos = locate(t.claims, t.r->slot_index(t.claims.slot), t.r->state);
  return errc::ok;
}

net::awaitable<http::reply> state(server::request_context& c) {
  auto v = c.req.version();
  auto* r = room_of(c);
  if (!r) co_return http::error_response(v, errc::unknown_room);
  if (!r->loaded) co_return http::error_response(v, errc::unavailable);
  const bool unchanged = c.req[http::field::if_none_match] == r->etag;
  // HTTP/1.1 (every CDN and browser): the bytes serialised at the last refresh.
  if (v == 11) co_return http::reply::prebuilt(unchanged ? r->raw_not_modified : r->raw_ok, unchanged ? 304 : 200);
  http::response res;
  if (unchanged) {
    res = http::response{http::status::not_modified, v};
    res.set(http::field::server, "guichet");
  } else {
    res = http::json_response(v, http::status::ok, r->body);
  }
  res.set(http::field::etag, r->etag);
  co_return res;
}

net::awaitable<http::reply> join(server::request_context& c) {
  auto v = c.req.version();
  auto& w = c.w;
  auto* r = room_of(c);
  if (!r) co_return http::error_response(v, errc::unknown_room);
  auto id = fan_identity(c);
  if (!id) co_return http::error_response(v, id.error);
  const std::string& account = id.id.account;

  // Proof of work, when the room asks for one: checked here (one SHA-256), consumed in Redis by
  // the join script so that a proof is used once.
  std::string pow_key, pow_hint;
  if (r->pow_bits > 0) {
    pow_hint = "\"pow\":{\"bits\":" + std::to_string(r->pow_bits) + ",\"challenge\":\"" + r->pow_now + "\"}";
    std::string_view proof = c.req[pow_header];
    if (proof.empty()) co_return http::error_response(v, errc::pow_required, pow_hint);
    auto colon = proof.find(':');
    auto challenge = proof.substr(0, colon);
    auto nonce = colon == std::string_view::npos ? std::string_view() : proof.substr(colon + 1);
    auto checked = pow::verify(challenge, account, nonce, r->pow_bits);
    if ((challenge != r->pow_now && challenge != r->pow_prev) || !checked.ok)
      co_return http::error_response(v, errc::pow_invalid, pow_hint);
    pow_key = keys::pow_proof(r->edition->id, checked.digest_hex);
  }
  const std::string pow_ttl = std::to_string(2 * pow::window_ms);

  // The account's slot is read by the script (the draw's, or the phase's only one): one round trip.
  const phase_config& p = *r->phase;
  const std::size_t n = p.draw ? p.slots.size() : 1;
  // The texts first (the pre-queue window, the seed, n, each slot's start and end), then views
  // of them: the vector does not move once the views are taken.
  std::vector<std::string> texts{std::to_string(p.pre_queue.count()), std::string(32, '0'), std::to_string(n)};
  std::snprintf(texts[1].data(), 33, "%016llx%016llx", static_cast<unsigned long long>(w.rng()),
                static_cast<unsigned long long>(w.rng()));
  for (std::size_t i = 0; i < n; ++i) {
    texts.push_back(std::to_string(p.slots[i].start_ms));
    texts.push_back(std::to_string(p.slots[i].end_ms()));
  }
  std::vector<std::string_view> keys{r->room_key, r->places_key, r->draw_key};
  std::vector<std::string_view> args{account, p.draw ? "1" : "0", texts[0], texts[1],
                                     pow_key.empty() ? std::string_view() : std::string_view(pow_ttl), texts[2]};
  for (std::size_t i = 0; i < n; ++i) {
    keys.push_back(r->slot_keys[i]);
    args.insert(args.end(), {p.slots[i].id, texts[3 + 2 * i], texts[4 + 2 * i]});
  }
  if (!pow_key.empty()) keys.push_back(pow_key);
  auto res = co_await w.redis->eval(redis::script::room_join, keys, args);
  if (res.ec || res.reply.elements.empty()) co_return http::error_response(v, redis_failure(res));
  const auto& e = res.reply.elements;
  const std::string& tag = e[0].str;
  if (tag == "placed" && e.size() == 2) {
    // "k|slot|n": the place may be from an earlier join, in another slot of this phase.
    const std::string& place = e[1].str;
    auto b1 = place.find('|'), b2 = place.rfind('|');
    queue_claims q{r->edition->id, r->phase->id, place.substr(b1 + 1, b2 - b1 - 1), account, place[0], 0, 0};
    std::from_chars(place.data() + b2 + 1, place.data() + place.size(), q.number);
    const slot_config* placed = p.find_slot(q.slot);
    if (!placed) co_return http::error_response(v, errc::internal);
    q.exp_ms = placed->end_ms();
    auto pos = locate(q, r->slot_index(q.slot), r->state);
    std::string body = "{\"queue_token\":\"" + w.tokens->sign(q) + "\",\"pre_queue\":";
    body += q.kind == 'p' ? "true" : "false";
    body += ",\"slot_window\":" + slot_json(*placed) + "," + position_json(*r, q.slot, pos) + "}";
    co_return http::json_response(v, http::status::ok, std::move(body));
  }
  if (auto refused = refusal(v, room_join_refusals, res.reply)) co_return std::move(*refused);
  if (tag == "pow_replayed") co_return http::error_response(v, errc::pow_replayed, pow_hint);
  const slot_config* slot = e.size() == 3 ? p.find_slot(e[2].str) : nullptr;
  if (tag == "outside" && slot) co_return http::error_response(v, errc::not_your_slot, "\"slot_window\":" + slot_json(*slot));
  co_return http::error_response(v, errc::not_drawn);
}

// Registration for a draw: one entry per account, inside the phase's window; the priority groups
// come from the identity token's `groups` claim (or an ops import).
net::awaitable<http::reply> register_for_draw(server::request_context& c) {
  auto v = c.req.version();
  auto& w = c.w;
  auto* r = room_of(c);
  if (!r) co_return http::error_response(v, errc::unknown_room);
  auto now = system_ms();
  auto id = fan_identity(c);
  if (!id) co_return http::error_response(v, id.error);
  const phase_config& p = *r->phase;
  if (!p.draw || now < p.registration_opens_ms || now >= p.registration_closes_ms)
    co_return http::error_response(v, errc::registration_closed,
                             "\"opens_ms\":" + std::to_string(p.registration_opens_ms) +
                                 ",\"closes_ms\":" + std::to_string(p.registration_closes_ms));
  std::vector<std::string> sorted = id.id.groups;  // stored sorted, as the draw reads them
  std::sort(sorted.begin(), sorted.end());
  std::string groups;
  for (auto& g : sorted) groups += (groups.empty() ? "" : ",") + g;
  std::string key = keys::registrations(r->edition->id, p.id);
  std::string_view setnx[] = {"HSETNX", key, id.id.account, groups};
  auto res = co_await w.redis->command(setnx);
  if (res.ec) co_return http::error_response(v, redis_failure(res));
  bool fresh = res.reply.integer == 1;
  if (!fresh) {  // the first registration stands: answer with it
    std::string_view hget[] = {"HGET", key, id.id.account};
    auto g = co_await w.redis->command(hget);
    if (g.ec) co_return http::error_response(v, redis_failure(g));
    groups = g.reply.str;
  }
  std::string b = "{\"status\":\"registered\",\"account\":\"" + id.id.account + "\",\"groups\":[";
  std::size_t start = 0;
  while (start < groups.size()) {
    auto comma = groups.find(',', start);
    if (b.back() != '[') b += ',';
    b += "\"" + groups.substr(start, comma - start) + "\"";
    start = comma == std::string::npos ? groups.size() : comma + 1;
  }
  b += "],\"new\":";
  b += fresh ? "true" : "false";
  if (fresh)
    if (auto* ev = w.events(*r->edition, p)) ev->registered.add();
  co_return http::json_response(v, fresh ? http::status::created : http::status::ok, b + "}");
}

net::awaitable<http::reply> position(server::request_context& c) {
  auto v = c.req.version();
  queue_ticket t;
  if (auto e = check_queue_token(c, t); e != errc::ok) co_return http::error_response(v, e);
  c.out += '{';
  append_position_json(c.out, *t.r, t.claims.slot, t.pos);
  c.out += '}';
  co_return http::reply::json(http::status::ok);
}

net::awaitable<http::reply> admit(server::request_context& c) {
  auto v = c.req.version();
  auto& w = c.w;
  queue_ticket t;
  if (auto e = check_queue_token(c, t); e != errc::ok) co_return http::error_response(v, e);
  // Early callers and callers of a closed room are answered from the cache: they cost Redis nothing.
  const std::string& stored = t.r->state.stored_status;
  if (stored == "closed" || stored == "sold_out") co_return http::error_response(v, errc::room_closed, "\"status\":\"" + stored + "\"");
  if (!t.pos.known || !t.pos.admissible) {
    const std::int64_t ms = retry_after_ms(*t.r, t.pos, w.cfg.room_refresh);
    std::string extra = ms < 0 ? std::string() : "\"retry_after_ms\":" + std::to_string(ms) + ",";
    extra += "\"room\":{" + position_json(*t.r, t.claims.slot, t.pos) + "}";
    co_return with_retry(http::error_response(v, errc::not_yet, extra), t.pos.eta_seconds > 0 ? t.pos.eta_seconds : 1);
  }
  const std::string sid = mint_session_id(system_ms(), w.rng());  // the idle clock starts after this
  std::string pos = std::to_string(t.pos.position), idle = std::to_string(t.r->phase->shopper_idle.count());
  std::string_view keys[] = {t.r->room_key, t.r->active_key, t.r->sessions_key};
  std::string_view args[] = {t.claims.account, pos, idle, sid};
  auto res = co_await w.redis->eval(redis::script::room_admit, keys, args);
  if (res.ec || res.reply.elements.empty()) co_return http::error_response(v, redis_failure(res));
  const auto& e = res.reply.elements;
  const std::string& tag = e[0].str;
  if (tag == "admitted" && e.size() == 2) {
    if (e[1].str == sid)  // a new shopper session (a second admission returns the live one)
      if (auto* ev = w.events(*t.r->edition, *t.r->phase)) ev->admitted.add();
    access_claims a{t.r->edition->id, t.r->phase->id, std::string(t.claims.account), e[1].str,
                    system_ms() + t.r->phase->access_ttl.count()};
    std::string body = "{\"access_token\":\"" + w.tokens->sign(a) + "\",\"expires_ms\":" + std::to_string(a.exp_ms) +
                       ",\"idle_timeout_ms\":" + std::to_string(t.r->phase->shopper_idle.count()) + "}";
    co_return http::json_response(v, http::status::ok, std::move(body));
  }
  if (auto refused = refusal(v, room_admit_refusals, res.reply)) co_return std::move(*refused);
  co_return http::error_response(v, errc::room_closed);
}

net::awaitable<http::reply> heartbeat(server::request_context& c) {
  auto v = c.req.version();
  auto& w = c.w;
  auto* r = room_of(c);
  if (!r) co_return http::error_response(v, errc::unknown_room);
  auto a = identity::access_token(c.req, *c.w.tokens, system_ms(), r->edition->id, r->phase->id);
  if (!a) co_return http::error_response(v, a.error);
  // Admission and the first touch together: the session's idle clock started after its id was
  // minted, and only idleness ends a session: in the first quarter of the idle timeout after that
  // the gateway answers alone. The fan keeps at least 3/4 of the timeout.
  const std::int64_t idle_ms = r->phase->shopper_idle.count(), now = system_ms();
  const auto minted = session_minted_ms(a.claims.session);
  if (minted && now >= *minted && now - *minted < idle_ms / 4) {
    w.stats.http.heartbeats_from_token.add();
    co_return http::json_response(v, http::status::ok, R"({"status":"active"})");
  }
  std::string idle = std::to_string(idle_ms);
  std::string_view keys[] = {r->active_key, r->sessions_key};
  std::string_view args[] = {a.claims.account, a.claims.session, idle};
  auto res = co_await w.redis->eval(redis::script::room_touch, keys, args);
  if (res.ec) co_return http::error_response(v, redis_failure(res));
  if (res.reply.integer != 1) co_return http::error_response(v, errc::session_expired);
  co_return http::json_response(v, http::status::ok, R"({"status":"active"})");
}

net::awaitable<http::reply> admin(server::request_context& c) {
  auto v = c.req.version();
  auto& w = c.w;
  if (!http::is_admin(c.req, w.secrets.admin_key)) co_return http::error_response(v, errc::admin_unauthorized);
  auto* r = room_of(c);
  if (!r) co_return http::error_response(v, errc::unknown_room);
  thread_local simdjson::ondemand::parser parser;
  std::vector<std::string> fields;  // HSET field/value pairs
  try {
    simdjson::padded_string body(c.req.body());
    auto doc = parser.iterate(body);
    for (auto f : doc.get_object()) {
      std::string_view key = f.unescaped_key();
      if (key == "action") {
        std::string_view a = f.value().get_string();
        std::string_view status = a == "pause" ? "paused" : a == "resume" || a == "open" ? "open"
                                 : a == "close" ? "closed" : a == "sold_out" ? "sold_out" : "";
        if (status.empty())
          co_return http::error_response(v, errc::malformed_json, {}, "action must be pause, resume, close or sold_out");
        fields.insert(fields.end(), {"status", std::string(status)});
      } else if (key == "join_pow_bits") {
        std::uint64_t n = f.value().get_uint64();
        if (n > pow::max_bits) co_return http::error_response(v, errc::malformed_json, {}, "join_pow_bits is 0 to 32");
        fields.insert(fields.end(), {"pow_bits", std::to_string(n)});
      } else if (key == "admit_rate" || key == "max_active") {
        std::uint64_t n = f.value().get_uint64();
        if (n > 100'000'000 || (key == "max_active" && n == 0))
          co_return http::error_response(v, errc::malformed_json, {}, std::string(key) + " is out of range");
        fields.insert(fields.end(), {std::string(key == "admit_rate" ? "rate" : "max_active"), std::to_string(n)});
      } else {
        co_return http::error_response(v, errc::malformed_json, {}, "unknown field '" + std::string(key) + "'");
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    co_return http::error_response(v, errc::malformed_json);
  }
  if (fields.empty()) co_return http::error_response(v, errc::malformed_json, {}, "nothing to change");
  // The change and its audit entry in one script: before/after, who (the admin key's id), from.
  const std::string edition(c.params.get("edition")), phase(c.params.get("phase"));
  const std::string audit_key = keys::audit(edition), who = "admin:" + admin_key_id(w.secrets.admin_key);
  const std::string from = format_ip(c.client), max = std::to_string(w.cfg.audit.stream_max);
  std::string_view keys[] = {r->room_key, audit_key};
  std::vector<std::string_view> args{who, from, edition, phase, max};
  args.insert(args.end(), fields.begin(), fields.end());
  auto res = co_await w.redis->eval(redis::script::admin_room, keys, args);
  if (res.ec) co_return http::error_response(v, redis_failure(res));
  std::vector<std::string> flat;
  for (auto& e : res.reply.elements) flat.push_back(e.str);
  w.srv.audit().append(audit_entry::from_fields(flat));
  co_await w.state<room_cache>().refresh(*r);
  co_return http::json_response(v, http::status::ok, r->body);
}

}  // namespace

void add_room_routes(server::route_table& t) {
  t.per_thread_state<room_cache>();
  const http::route_policy none{.max_body = 1};  // these POSTs carry no body
  const http::route_policy redis{.max_body = 1, .needs_redis = true};
  t.add(http::verb::get, "/rooms/{edition}/{phase}/state", "room_state", {.unmetered = true, .cache = http::cache_rule::public_1s}, state);
  const http::route_policy door{.max_body = 1, .needs_redis = true, .door = true};
  t.add(http::verb::post, "/rooms/{edition}/{phase}/register", "draw_register", door, register_for_draw);
  t.add(http::verb::post, "/rooms/{edition}/{phase}/join", "room_join", door, join);
  t.add(http::verb::get, "/rooms/{edition}/{phase}/position", "room_position", none, position);
  t.add(http::verb::post, "/rooms/{edition}/{phase}/admit", "room_admit", redis, admit);
  t.add(http::verb::post, "/rooms/{edition}/{phase}/heartbeat", "room_heartbeat", redis, heartbeat);
  t.add(http::verb::post, "/admin/rooms/{edition}/{phase}", "admin_room",
        {.max_body = 1024, .json_body = true, .needs_redis = true, .listener = http::exposure::ops}, admin);
}

}  // namespace guichet::room
