#include "gateway/room/room_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/keys.hpp"
#include "core/split.hpp"
#include "core/pow.hpp"
#include "gateway/http/reply.hpp"
#include "gateway/http/router.hpp"
#include "core/json_escape.hpp"
#include "gateway/metrics/prometheus.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/server/server.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::room {

std::size_t room_cache::room::slot_index(std::string_view id) const {
  for (std::size_t i = 0; i < phase->slots.size(); ++i)
    if (phase->slots[i].id == id) return i;
  return phase->slots.size();
}

room_cache::room_cache(server::worker& w) : w_(w) {
  if (!w.secrets.token_keys.empty()) pow_key_ = std::make_unique<hmac_sha256>(w.secrets.token_keys.front().secret);
  for (auto& e : w.cfg.editions)
    for (auto& p : e.phases) {
      room r{&e, &p, keys::room(e.id, p.id), keys::active(e.id, p.id), keys::sessions(e.id, p.id),
             keys::places(e.id, p.id), keys::draw(e.id, p.id)};
      for (auto& s : p.slots) r.slot_keys.push_back(keys::slot(e.id, p.id, s.id));
      for (auto& s : e.sessions) {
        if (std::find(p.excluded.begin(), p.excluded.end(), s.id) != p.excluded.end()) continue;
        r.inv_keys.push_back(keys::inventory(e.id, s.id));
        r.inv_args.push_back(std::to_string(s.categories.size()));
        for (auto& c : s.categories) r.inv_args.push_back(c.first);
      }
      rooms_.push_back(std::move(r));
    }
}

room_cache::room* room_cache::find(std::string_view edition, std::string_view phase) {
  for (auto& r : rooms_)
    if (r.edition->id == edition && r.phase->id == phase) return &r;
  return nullptr;
}

void room_cache::start() {
  if (rooms_.empty()) warm_ = true;
  else if (w_.index == 0) net::co_spawn(w_.io, refresh_loop(), net::detached);
}

void room_cache::reload() {
  for (auto& r : rooms_) r.force = true;
}

// Worker 0: once per round, the lease holder refreshes every room and publishes them all in one
// go; a follower refreshes only a room it must push config to (SIGHUP) or that nobody refreshes.
net::awaitable<void> room_cache::refresh_loop() {
  net::steady_timer t(w_.io);
  server::fleet& fleet = w_.srv.fleet();
  while (!w_.draining) {
    bool leading = fleet.leading();
    std::vector<std::pair<std::string, std::string>> fields;
    for (auto& r : rooms_) {
      if (w_.draining) break;
      bool orphan = !leading && ++r.unchanged_rounds > 3;  // the holder does not refresh it
      if (!leading && !r.force && !orphan) continue;
      std::string v = co_await call_refresh(r);
      if (!v.empty()) fields.emplace_back(r.room_key, std::move(v));
    }
    co_await fleet.publish(w_, std::move(fields));
    t.expires_after(w_.cfg.room_refresh);
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> room_cache::refresh(room& r) {
  std::string v = co_await call_refresh(r);
  if (v.empty()) co_return;
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back(r.room_key, std::move(v));
  co_await w_.srv.fleet().publish(w_, std::move(fields));
}

void room_cache::follow(const server::fleet_state& fs) {
  for (auto& r : rooms_) {
    auto it = fs.find(r.room_key);
    if (it == fs.end() || it->second == r.published) continue;
    r.unchanged_rounds = 0;
    apply(r, it->second);
  }
}

net::awaitable<std::string> room_cache::call_refresh(room& r) {
  if (!w_.redis->ready()) co_return std::string();
  const phase_config& p = *r.phase;
  std::vector<std::string_view> keys{r.room_key, r.active_key, r.sessions_key};
  keys.insert(keys.end(), r.slot_keys.begin(), r.slot_keys.end());
  keys.insert(keys.end(), r.inv_keys.begin(), r.inv_keys.end());
  std::string rate = std::to_string(p.admit_rate), max_active = std::to_string(p.max_active),
              idle = std::to_string(p.shopper_idle.count());
  char seed[33];
  std::snprintf(seed, sizeof seed, "%016llx%016llx", static_cast<unsigned long long>(w_.rng()),
                static_cast<unsigned long long>(w_.rng()));
  std::vector<std::string> starts;
  for (auto& s : p.slots) starts.push_back(std::to_string(s.start_ms));
  bool force = r.force;
  std::string n_slots = std::to_string(p.slots.size());
  std::string grace = std::to_string(w_.cfg.opening_grace.count());
  std::vector<std::string_view> args{rate, max_active, force ? "1" : "0", idle, seed, grace, n_slots};
  args.insert(args.end(), starts.begin(), starts.end());
  args.insert(args.end(), r.inv_args.begin(), r.inv_args.end());
  auto res = co_await w_.redis->eval(redis::script::room_refresh, keys, args);
  if (res.ec) co_return std::string();
  std::string v;
  for (std::size_t i = 0; i < res.reply.elements.size(); ++i) {
    if (i) v += '\n';
    v += res.reply.elements[i].str;
  }
  if (!apply(r, v)) co_return std::string();
  if (force) r.force = false;
  co_return v;
}

bool room_cache::apply(room& r, std::string_view published) {
  const auto e = split(published, '\n');
  constexpr auto num = to_u64;
  const phase_config& p = *r.phase;
  if (e.size() != 9 + 4 * p.slots.size()) return false;  // another config's room (rolling deploy)
  room_state s;
  s.stored_status = std::string(e[0]);
  s.serving = num(e[1]);
  s.tail = num(e[2]);
  s.rate = num(e[3]);
  s.max_active = num(e[4]);
  s.active = num(e[5]);
  s.now_ms = static_cast<std::int64_t>(num(e[6]));
  s.pow_bits = e[7].empty() ? -1 : static_cast<std::int64_t>(num(e[7]));
  s.stock = std::string(e[8]);
  s.opening_grace_ms = w_.cfg.opening_grace.count();
  if (r.loaded && s.now_ms < r.state.now_ms) return true;  // older than what this worker holds
  for (std::size_t i = 0; i < p.slots.size(); ++i) {
    slot_state st;
    st.pre_count = num(e[9 + 4 * i]);
    st.opened = !e[10 + 4 * i].empty();
    st.base = num(e[10 + 4 * i]);
    st.opened_ms = static_cast<std::int64_t>(num(e[12 + 4 * i]));
    std::string_view sd = e[11 + 4 * i];
    if (sd.size() == 32) {
      std::from_chars(sd.data(), sd.data() + 16, st.seed0, 16);
      std::from_chars(sd.data() + 16, sd.data() + 32, st.seed1, 16);
    }
    s.slots.push_back(st);
  }
  r.state = std::move(s);
  r.applied = std::chrono::steady_clock::now();
  r.published.assign(published);
  r.loaded = true;
  if (!warm_ && std::all_of(rooms_.begin(), rooms_.end(), [](const room& x) { return x.loaded; })) warm_ = true;
  update_pow(r);
  render(r);
  return true;
}

void room_cache::update_pow(room& r) {
  r.pow_bits = r.state.pow_bits >= 0 ? static_cast<unsigned>(r.state.pow_bits) : w_.cfg.join_pow_bits;
  if (!pow_key_) r.pow_bits = 0;
  if (r.pow_bits == 0) return;
  auto window = pow::window_of(r.state.now_ms);  // Redis' clock: every gateway is in the same window
  if (window == r.pow_window) return;
  r.pow_window = window;
  r.pow_now = pow::challenge(*pow_key_, r.edition->id, r.phase->id, window);
  r.pow_prev = pow::challenge(*pow_key_, r.edition->id, r.phase->id, window - 1);
}

void room_cache::render(room& r) {
  const auto& s = r.state;
  std::string b;
  b.reserve(256 + 96 * r.phase->slots.size());
  b += "{\"edition\":\"";
  append_json_escaped(b, r.edition->id);
  b += "\",\"phase\":\"";
  append_json_escaped(b, r.phase->id);
  b += "\",\"status\":\"";
  b += to_string(status_of(*r.phase, s, s.now_ms));
  b += "\",\"serving\":" + std::to_string(s.serving);
  b += ",\"tail\":" + std::to_string(s.tail);
  b += ",\"admit_rate\":" + std::to_string(s.rate);
  b += ",\"active\":" + std::to_string(s.active);
  b += ",\"max_active\":" + std::to_string(s.max_active);
  b += ",\"stock\":\"";
  append_json_escaped(b, s.stock);
  // Dead reckoning: what a page needs to predict the counter between polls (waiting-room.md).
  const outflow o = outflow_of(*r.phase, s);
  b += "\",\"outflow\":\"";
  b += to_string(o);
  if (o == outflow::moving) b += "\",\"computed_ms\":" + std::to_string(s.now_ms);
  else b += '"';
  b += ",\"refresh_ms\":" + std::to_string(w_.cfg.room_refresh.count());
  b += ",\"opening_grace_ms\":" + std::to_string(s.opening_grace_ms);
  b += ",\"slots\":[";
  for (std::size_t i = 0; i < r.phase->slots.size(); ++i) {
    const slot_config& c = r.phase->slots[i];
    if (i) b += ',';
    b += "{\"id\":\"";
    append_json_escaped(b, c.id);
    b += "\",\"start_ms\":" + std::to_string(c.start_ms) + ",\"end_ms\":" + std::to_string(c.end_ms());
    b += ",\"pre_queue_opens_ms\":" + std::to_string(c.start_ms - r.phase->pre_queue.count());
    if (!c.group.empty()) {
      b += ",\"group\":\"";
      append_json_escaped(b, c.group);
      b += '"';
    }
    b += ",\"opened\":";
    b += s.slots[i].opened ? "true" : "false";
    b += ",\"pre_queue\":" + std::to_string(s.slots[i].pre_count);
    if (s.slots[i].opened) {  // the shuffle is fixed once opened: pages place themselves with it
      char seed[34];
      std::snprintf(seed, sizeof seed, "%016llx%016llx", static_cast<unsigned long long>(s.slots[i].seed0),
                    static_cast<unsigned long long>(s.slots[i].seed1));
      b += ",\"base\":" + std::to_string(s.slots[i].base) + ",\"seed\":\"" + seed +
           "\",\"opened_ms\":" + std::to_string(s.slots[i].opened_ms);
    }
    b += "}";
  }
  b += "]";
  if (r.pow_bits > 0)  // the challenge stays accepted until the end of the next window
    b += ",\"pow\":{\"bits\":" + std::to_string(r.pow_bits) + ",\"challenge\":\"" + r.pow_now +
         "\",\"valid_until_ms\":" + std::to_string((r.pow_window + 2) * pow::window_ms) + "}";
  b += "}";
  // A weak validator from the body's bytes: equal bodies, equal ETags, on every gateway.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : b) h = (h ^ c) * 0x100000001b3ULL;
  char etag[24];
  std::snprintf(etag, sizeof etag, "W/\"%016llx\"", static_cast<unsigned long long>(h));
  r.body = std::move(b);
  r.etag = etag;
  const std::string head = "Server: guichet\r\nCache-Control: " + std::string(http::cache_rule::public_1s) + "\r\nETag: " +
                           r.etag + "\r\n" + http::security_header_lines();
  r.raw_ok = std::make_shared<const std::string>("HTTP/1.1 200 OK\r\n" + head +
                                                 "Content-Type: application/json\r\nContent-Length: " +
                                                 std::to_string(r.body.size()) + "\r\n\r\n" + r.body);
  r.raw_not_modified = std::make_shared<const std::string>("HTTP/1.1 304 Not Modified\r\n" + head + "\r\n");
}

void room_cache::render_metrics(std::string& out) const {
  struct gauge {
    const char* name;
    const char* help;
    std::uint64_t (*get)(const room_state&);
  };
  static constexpr gauge gauges[] = {
      {"guichet_room_waiting", "Fans in line not yet let in (tail - serving).",
       [](const room_state& s) -> std::uint64_t { return s.tail > s.serving ? s.tail - s.serving : 0; }},
      {"guichet_room_serving", "The serving counter: positions below it may be admitted.",
       [](const room_state& s) -> std::uint64_t { return s.serving; }},
      {"guichet_room_tail", "Queue numbers handed out (the next one).", [](const room_state& s) -> std::uint64_t { return s.tail; }},
      {"guichet_room_admit_rate", "Fans let in per second (live setting).",
       [](const room_state& s) -> std::uint64_t { return s.rate; }},
      {"guichet_room_active_shoppers", "Fans in the shop now.", [](const room_state& s) -> std::uint64_t { return s.active; }},
      {"guichet_room_max_active", "The shop's ceiling of active shoppers (live setting).",
       [](const room_state& s) -> std::uint64_t { return s.max_active; }},
  };
  auto labels = [](const room_cache::room& r) { return "edition=\"" + r.edition->id + "\",phase=\"" + r.phase->id + "\""; };
  for (auto& g : gauges) {
    metrics::metric_head(out, g.name, "gauge", g.help);
    each([&](const room_cache::room& r) {
      if (r.loaded) metrics::metric_sample(out, g.name, labels(r), g.get(r.state));
    });
  }
  metrics::metric_head(out, "guichet_room_status", "gauge", "The room's status as fans see it: 1 for the current one.");
  each([&](const room_cache::room& r) {
    if (!r.loaded) return;
    auto now = to_string(status_of(*r.phase, r.state, r.state.now_ms));
    for (auto st : {room_status::pre_queue, room_status::open, room_status::paused, room_status::sold_out, room_status::closed})
      metrics::metric_sample(out, "guichet_room_status", labels(r) + ",status=\"" + std::string(to_string(st)) + "\"", to_string(st) == now);
  });
  metrics::metric_head(out, "guichet_room_stock", "gauge",
       "The phase's stock: 1 for the current one (in: seats available; held: all in holds; out: sold out).");
  each([&](const room_cache::room& r) {
    if (!r.loaded) return;
    for (auto st : {"in", "held", "out"})
      metrics::metric_sample(out, "guichet_room_stock", labels(r) + ",stock=\"" + st + "\"", r.state.stock == st);
  });
}

}  // namespace guichet::room
