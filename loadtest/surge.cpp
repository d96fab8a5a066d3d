#include "loadtest/surge.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <deque>
#include <iomanip>
#include <ostream>
#include <queue>
#include <sys/resource.h>

#include "core/checkout.hpp"
#include "core/jwt.hpp"
#include "core/pow.hpp"
#include "loadtest/json_reply.hpp"

namespace guichet::loadtest {
namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::uint32_t no_fan = UINT32_MAX;

// This process's CPU time (user + system), seconds.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Deterministic per-fan randomness: the same seed gives the same crowd.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct fan_rng {
  std::uint64_t state;
  fan_rng(std::uint64_t seed, std::uint64_t fan, std::uint64_t salt) : state(mix64(seed ^ mix64(fan * 1315423911ULL + salt))) {}
  std::uint64_t next() { return state = mix64(state); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
};

enum class step : std::uint8_t {
  idle, register_, join, state, position, admit, heartbeat, forged_hold, over_limit_hold, hold, replay, pay,
  confirm, confirm_again, release, greedy_hold, done
};
enum class quirk : std::uint8_t { none, double_click, over_limit, forged, greedy };

struct fan {
  step next = step::idle;
  quirk q = quirk::none;
  bool early = false, confirms = false, releases = false, replays = false;
  bool position_known = false, joined = false, admitted = false;
  std::uint8_t attempts = 0;      // retries of the current request
  std::uint8_t hold_round = 0;    // which hold this is (another after sold out, or greedy)
  std::uint8_t pending = 0;       // double click: answers still to come
  bool greedy = false;            // this hold asks for the most the rules allow
  std::uint32_t tickets = 0;      // held + bought, as the gateway answered
  std::uint32_t hold_tickets = 0;
  std::uint64_t position = 0;
  std::uint64_t sent_serving = 0;
  std::int64_t at_us = 0;         // when the next request is meant to leave
  std::string queue_token, access_token, hold_id, etag;
  std::string pow_proof;          // "challenge:nonce" for the next join, when the room asks for one
};

enum check_id { c_forged, c_over_limit, c_replay, c_double, c_confirm_replay, c_not_drawn, c_limits, c_winners, c_count };
const char* check_names[c_count] = {
    "forged access tokens refused",       "over-limit requests refused",
    "replayed holds return the first hold", "double clicks make one hold",
    "replayed confirmations return the first payment", "fans the draw did not pick are refused",
    "no fan holds more than its limits",  "draw winners get into their slot"};

struct room_view {
  const phase_config* phase = nullptr;
  std::string base, holds_path;
  std::vector<const session_config*> sellable;
  std::string etag, status;
  std::uint64_t serving = 0, rate = 0;
  std::int64_t fetched_us = 0;  // when the state was last fetched from the gateway
  room_outcome out;
  std::vector<admission> admissions;
};

class fan_engine {
 public:
  fan_engine(const edition_config& e, const surge_options& o, const surge_secrets& s, const net::ip::tcp::endpoint& target,
             draw_outcome& plan, recorder& rec, std::ostream& log, bool registering)
      : e_(e), o_(o), s_(s), target_(target), plan_(plan), rec_(rec), log_(log), registering_(registering),
        clock_(ioc_), fans_(plan.phase.size()) {
    for (auto& [ph, w] : o.mix) {
      room_view r;
      r.phase = e.find_phase(ph);
      r.base = "/rooms/" + e.id + "/" + ph + "/";
      r.holds_path = "/editions/" + e.id + "/phases/" + ph + "/holds";
      for (auto& s : e.sessions)
        if (std::find(r.phase->excluded.begin(), r.phase->excluded.end(), s.id) == r.phase->excluded.end())
          r.sellable.push_back(&s);
      r.out.phase = ph;
      rooms_.push_back(std::move(r));
    }
    for (int c = 0; c < c_count; ++c) checks_[c].name = check_names[c];
  }

  void run() {
    rec_.start();
    start_us_ = now_us();
    std::uint64_t active = 0;
    for (std::uint32_t i = 0; i < fans_.size(); ++i) {
      if (registering_) {
        if (!rooms_[plan_.phase[i]].phase->draw) {
          plan_.registered[i] = 1;
          continue;
        }
        fans_[i].next = step::register_;
        schedule(i, start_us_);
        ++active;
      } else if (plan_.slot[i] >= 0 || (plan_.registered[i] && fan_rng(o_.seed, i, 7).uniform() < o_.losers)) {
        arrive(i);
        ++active;
      }
    }
    done_target_ = active;
    co_spawn(ioc_, clock(), net::detached);
    co_spawn(ioc_, ticker(), net::detached);
    for (unsigned c = 0; c < std::max(1u, o_.connections); ++c) co_spawn(ioc_, worker(ready_), net::detached);
    if (!registering_)
      for (unsigned c = 0; c < std::max(1u, o_.poll_connections); ++c) co_spawn(ioc_, worker(polls_), net::detached);
    double cpu_before = cpu_seconds();
    ioc_.run();
    cpu_ = cpu_seconds() - cpu_before;
  }

  surge_result result() {
    surge_result r;
    r.seconds = rec_.elapsed_s();
    r.deadline_hit = deadline_hit_;
    r.fans = endings_;
    r.sales = std::move(sales_);
    r.tickets_bought = bought_;
    r.holds = holds_;
    r.cdn_hits = cdn_hits_;
    r.pow_solved = pow_solved_;
    r.cpu_seconds = cpu_;
    r.active_fans = done_target_;
    for (auto& c : checks_) r.checks.push_back(c);
    for (auto& room : rooms_) {
      room.out.order = measure_fairness(std::move(room.admissions));
      r.rooms.push_back(room.out);
    }
    return r;
  }

 private:
  // ---- scheduling: a heap of fans by intended time, two lanes of fans due (polls, the rest) ----
  // Fans due to send, in the order they became due, and the idle connections that serve them.
  struct lane {
    std::deque<std::uint32_t> due;
    std::vector<net::steady_timer*> parked;
  };
  void schedule(std::uint32_t i, std::int64_t at) {
    fans_[i].at_us = at;
    if (at <= now_us()) return make_ready(i);
    heap_.push({at, i});
    if (at < clock_at_) clock_.cancel();
  }
  void go(std::uint32_t i, step s, std::int64_t delay_us = 0) {
    fans_[i].attempts = 0;
    fans_[i].next = s;
    schedule(i, now_us() + std::max<std::int64_t>(delay_us, 0));
  }
  // Polls and everything else have their own queues and connections: a fan's poll does not wait
  // behind other fans' joins and purchases, nor a purchase behind polls (on their own devices,
  // neither would). Each queue is served in the order fans became due.
  void make_ready(std::uint32_t i) {
    auto n = fans_[i].next;
    lane& l = !registering_ && (n == step::state || n == step::position) ? polls_ : ready_;
    l.due.push_back(i);
    if (!l.parked.empty()) {
      l.parked.back()->cancel();
      l.parked.pop_back();
    }
  }
  net::awaitable<std::uint32_t> next_ready(lane& l, net::steady_timer& park) {
    while (!stopping_) {
      if (!l.due.empty()) {
        auto i = l.due.front();
        l.due.pop_front();
        co_return i;
      }
      park.expires_at(net::steady_timer::time_point::max());
      l.parked.push_back(&park);
      co_await park.async_wait(use_tuple);
    }
    co_return no_fan;
  }
  net::awaitable<void> clock() {
    while (!stopping_) {
      auto now = now_us();
      while (!heap_.empty() && heap_.top().first <= now) {
        make_ready(heap_.top().second);
        heap_.pop();
      }
      clock_at_ = std::min(heap_.empty() ? INT64_MAX : heap_.top().first, now + 100'000);
      clock_.expires_after(std::chrono::microseconds(clock_at_ - now));
      co_await clock_.async_wait(use_tuple);
    }
  }
  void stop() {
    stopping_ = true;
    clock_.cancel();
    for (auto* l : {&ready_, &polls_}) {
      for (auto* p : l->parked) p->cancel();
      l->parked.clear();
    }
  }
  net::awaitable<void> ticker() {
    net::steady_timer t(ioc_);
    auto next = std::chrono::steady_clock::now();
    while (!stopping_) {
      next += std::chrono::seconds(1);
      t.expires_at(next);
      co_await t.async_wait(use_tuple);
      double el = rec_.elapsed_s();
      gauges g{waiting_, admitted_, bought_};
      auto& s = rec_.tick(el, g);
      if (o_.progress) {
        log_ << "[" << std::setw(4) << static_cast<long>(el) << " s] ";
        if (registering_)
          log_ << "registered " << registered_ << "/" << done_target_;
        else
          log_ << "waiting " << waiting_ << "  admitted " << admitted_ << "  tickets bought " << bought_ << "  fans done "
               << finished_ << "/" << done_target_;
        log_ << "  | " << s.requests << " req/s  p99 " << std::fixed << std::setprecision(1)
             << static_cast<double>(s.p99_us) / 1000.0 << " ms  errors " << s.errors << "\n"
             << std::flush;
      }
      if (finished_ >= done_target_) stop();
      if (el * 1000.0 >= static_cast<double>(o_.deadline.count()) || rec_.total_requests() >= o_.max_requests) {
        deadline_hit_ = true;
        log_ << "stopping: " << (rec_.total_requests() >= o_.max_requests ? "request budget" : "deadline")
             << " reached with " << (done_target_ - finished_) << " fans unfinished\n";
        stop();
      }
    }
  }

  net::awaitable<void> worker(lane& l) {
    http_connection conn(ioc_.get_executor(), target_);
    net::steady_timer park(ioc_);
    for (;;) {
      auto i = co_await next_ready(l, park);
      if (i == no_fan) co_return;
      if (!prepare(i)) continue;
      fan& f = fans_[i];
      step s = f.next;
      endpoint ep;
      request req = build(i, s, ep);
      set_fan_address(req, i);
      // Registration is a closed loop (latency from the send); fans keep their own schedule.
      auto sent_at = now_us();
      std::int64_t intended = registering_ ? sent_at : std::max(f.at_us, start_us_);
      auto r = co_await conn.send(req, o_.timeout);
      auto done_at = now_us();
      rec_.record(ep, r, static_cast<std::uint64_t>(std::max<std::int64_t>(done_at - intended, 0)),
                  static_cast<std::uint64_t>(std::max<std::int64_t>(sent_at - intended, 0)));
      handle(i, s, r);
    }
  }

  // ---- requests ----
  std::string account(std::uint32_t i) const { return o_.prefix + "-" + std::to_string(i); }
  room_view& room_of(std::uint32_t i) { return rooms_[plan_.phase[i]]; }

  std::string identity(std::uint32_t i) {
    std::string claims = "{\"sub\":\"" + account(i) + "\",\"exp\":" + std::to_string(start_us_ / 1'000'000 + 6 * 3600);
    if (fan_rng(o_.seed, i, 1).uniform() < o_.club) claims += ",\"groups\":[\"club\"]";
    return sign_jwt(s_.jwt_key, claims + "}");
  }

  // What fan i asks for in hold round `round`: a pack (3 sessions) or single tickets, popular
  // sessions first, 1-4 tickets each; `greedy` asks for the most the rules allow per session.
  std::vector<hold_item> choose_items(std::uint32_t i, unsigned round, bool greedy) {
    auto& room = room_of(i);
    fan_rng rng(o_.seed, i, 100 + round);
    std::size_t want = room.phase->rules == phase_rules::packs ? 3 : 1 + rng.below(2);
    want = std::min(want, room.sellable.size());
    std::vector<hold_item> items;
    while (items.size() < want) {
      // Popularity ~ 1/(k+1): sessions listed first sell out first.
      double total = 0;
      for (std::size_t k = 0; k < room.sellable.size(); ++k) total += 1.0 / static_cast<double>(k + 1);
      double u = rng.uniform() * total;
      std::size_t k = 0;
      for (; k + 1 < room.sellable.size(); ++k)
        if ((u -= 1.0 / static_cast<double>(k + 1)) < 0) break;
      const session_config* s = room.sellable[k];
      bool dup = false;
      for (auto& it : items) dup |= it.session == s->id;
      if (dup) continue;
      auto& cat = s->categories[rng.below(s->categories.size())].first;
      unsigned limit = session_limit(e_, *s);
      auto q = static_cast<std::uint32_t>(greedy ? limit : std::min<std::uint64_t>(limit, 1 + rng.below(4)));
      items.push_back({s->id, cat, q});
    }
    return items;
  }
  static std::string items_json(const std::vector<hold_item>& items) {
    std::string b = "{\"items\":[";
    for (auto& it : items)
      b += (b.back() == '[' ? "" : ",") + std::string("{\"session\":\"") + it.session + "\",\"category\":\"" + it.category +
           "\",\"quantity\":" + std::to_string(it.quantity) + "}";
    return b + "]}";
  }
  std::string idem_key(std::uint32_t i) const { return account(i) + "-h" + std::to_string(fans_[i].hold_round); }

  request hold_request(std::uint32_t i, std::string_view token, const std::vector<hold_item>& items) {
    auto req = make_request(http::verb::post, room_of(i).holds_path, token, items_json(items));
    req.set("Idempotency-Key", idem_key(i));
    return req;
  }

  request build(std::uint32_t i, step s, endpoint& ep) {
    fan& f = fans_[i];
    auto& room = room_of(i);
    switch (s) {
      case step::register_: ep = endpoint::register_; return make_request(http::verb::post, room.base + "register", identity(i));
      case step::join: {
        ep = endpoint::join;
        auto req = make_request(http::verb::post, room.base + "join", identity(i));
        if (!f.pow_proof.empty()) req.set("Guichet-Pow", f.pow_proof);
        f.pow_proof.clear();  // a proof is good for one join
        return req;
      }
      case step::state: {
        ep = endpoint::state;
        auto req = make_request(http::verb::get, room.base + "state", {});
        if (!f.etag.empty() && f.etag == room.etag) req.set(http::field::if_none_match, f.etag);
        f.sent_serving = room.serving;
        return req;
      }
      case step::position: ep = endpoint::position; return make_request(http::verb::get, room.base + "position", f.queue_token);
      case step::admit: ep = endpoint::admit; return make_request(http::verb::post, room.base + "admit", f.queue_token);
      case step::heartbeat: ep = endpoint::heartbeat; return make_request(http::verb::post, room.base + "heartbeat", f.access_token);
      case step::forged_hold: {
        ep = endpoint::hold;
        std::string forged = f.access_token;
        forged.back() = forged.back() == 'A' ? 'B' : 'A';  // a flipped signature byte
        return hold_request(i, forged, choose_items(i, f.hold_round, false));
      }
      case step::over_limit_hold: {
        ep = endpoint::hold;
        auto items = choose_items(i, f.hold_round, true);
        items.front().quantity += 1;  // one more than the rules allow for that session
        return hold_request(i, f.access_token, items);
      }
      case step::hold:
      case step::greedy_hold:
        ep = endpoint::hold;
        return hold_request(i, f.access_token, choose_items(i, f.hold_round, f.greedy));
      case step::replay:
        ep = endpoint::hold_replay;
        return hold_request(i, f.access_token, choose_items(i, f.hold_round, f.greedy));
      case step::confirm:
      case step::confirm_again:
        ep = endpoint::confirm;
        return make_request(http::verb::post, "/editions/" + e_.id + "/holds/" + f.hold_id + "/confirm", s_.payment_key,
                    "{\"payment_ref\":\"pay-" + f.hold_id + "\"}");
      case step::release:
        ep = endpoint::release;
        return make_request(http::verb::delete_, "/editions/" + e_.id + "/holds/" + f.hold_id, f.access_token);
      default: break;
    }
    ep = endpoint::state;
    return make_request(http::verb::get, room.base + "state", {});
  }

  // ---- answers ----
  std::int64_t jitter(std::uint32_t i, milliseconds base, double spread) {
    double u = fan_rng(o_.seed, i, 1000 + rec_.total_requests()).uniform();
    return static_cast<std::int64_t>(static_cast<double>(base.count()) * 1000.0 * (1.0 - spread + 2.0 * spread * u));
  }
  // The page polls about every `poll`, and less often far back in the queue: half its ETA, at
  // most 30 s (what a real waiting-room page does to spare the CDN).
  std::int64_t poll_delay(std::uint32_t i, const room_view& room) {
    const fan& f = fans_[i];
    std::int64_t base = o_.poll.count();
    if (f.position_known && room.rate > 0 && f.position > room.serving)
      base = std::clamp<std::int64_t>(static_cast<std::int64_t>((f.position - room.serving) * 500 / room.rate), base, 30'000);
    return jitter(i, milliseconds(base), 0.3);
  }
  // What the page does with the room state it just got (from the gateway or the CDN).
  void after_state(std::uint32_t i) {
    fan& f = fans_[i];
    auto& room = room_of(i);
    if (room.status == "closed" || room.status == "sold_out") return finish(i, "room closed");
    if (!f.position_known) {
      if (room.status == "open") return go(i, step::position);
    } else if (f.position < f.sent_serving) {
      return go(i, step::admit);
    }
    go(i, step::state, poll_delay(i, room));
  }
  void finish(std::uint32_t i, const std::string& how) {
    fan& f = fans_[i];
    if (f.next == step::done) return;
    if (f.joined && !f.admitted) --waiting_;
    f.next = step::done;
    f.queue_token.clear(), f.queue_token.shrink_to_fit();
    f.access_token.clear(), f.access_token.shrink_to_fit();
    f.etag.clear(), f.etag.shrink_to_fit();
    ++endings_[how];
    ++finished_;
  }
  void fail_check(check_id c, std::uint32_t i, const http_result& r) {
    if (checks_[c].failed++ == 0)
      checks_[c].detail = account(i) + ": " + recorder::outcome_of(r) + " " + r.body.substr(0, 200);
  }
  // Transport failures, 503s and 429s are retried with backoff; false once the budget is spent.
  bool retry(std::uint32_t i, const http_result& r) {
    fan& f = fans_[i];
    bool retryable = r.status == 0 || r.status == 503 || r.status == 429 || r.status == 408;
    if (!retryable || f.attempts >= 8) return false;
    std::int64_t wait = r.retry_after > 0 ? r.retry_after * 1'000'000LL : (250'000LL << std::min<int>(f.attempts, 4));
    ++f.attempts;
    rec_.retried();
    schedule(i, now_us() + wait + jitter(i, milliseconds(100), 1.0));
    return true;
  }
  void unexpected(std::uint32_t i, step s, const http_result& r) {
    static const char* names[] = {"idle", "register", "join", "state", "position", "admit", "heartbeat", "forged hold",
                                  "over-limit hold", "hold", "replay", "pay", "confirm", "confirm again", "release",
                                  "greedy hold", "done"};
    rec_.unexpected(std::string(names[static_cast<int>(s)]) + ": " + recorder::outcome_of(r));
    finish(i, "stopped by an unexpected answer");
  }

  void handle(std::uint32_t i, step s, const http_result& r) {
    fan& f = fans_[i];
    if (f.next == step::done) return;
    auto& room = room_of(i);
    std::string_view body = r.body;
    auto code = json_string(body, "/error/code").value_or("");
    switch (s) {
      case step::register_:
        if (r.status == 201 || r.status == 200) {
          plan_.registered[i] = 1;
          ++room.out.registered;
          ++registered_;
          return finish(i, "registered");
        }
        if (code == "registration_closed") return finish(i, "registration closed");
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::join:
        if (r.status == 200) {
          ++checks_[plan_.slot[i] < 0 ? c_not_drawn : c_winners].tried;
          if (plan_.slot[i] < 0) fail_check(c_not_drawn, i, r);
          f.queue_token = std::string(json_string(body, "/queue_token").value_or(""));
          if (!f.joined) ++room.out.joined, ++waiting_;
          f.joined = true;
          if (json_true(body, "/known")) {
            f.position_known = true;
            f.position = static_cast<std::uint64_t>(json_int(body, "/position").value_or(0));
            if (json_true(body, "/admissible")) return go(i, step::admit);
          } else if (auto opens = json_int(body, "/slot_window/start_ms"); opens && *opens * 1000 > now_us()) {
            // In the pre-queue the page counts down to the opening, then asks.
            return go(i, step::state, *opens * 1000 - now_us() + jitter(i, o_.poll, 1.0));
          }
          return go(i, step::state, jitter(i, o_.poll, 0.3));
        }
        if (code == "not_drawn") {
          if (plan_.slot[i] >= 0) {
            ++checks_[c_winners].tried;
            fail_check(c_winners, i, r);
            return finish(i, "winner refused");
          }
          ++checks_[c_not_drawn].tried;
          return finish(i, "not drawn");
        }
        if (code == "not_your_slot" && f.early) {
          // Came before the pre-queue: the page shows the window; come back when it starts.
          f.early = false;
          auto start = json_int(body, "/error/slot_window/start_ms").value_or(0) * 1000;
          return go(i, step::join,
                    start - room.phase->pre_queue.count() * 1000 + 200'000 - now_us() + jitter(i, milliseconds(1000), 0.5));
        }
        if (code == "not_your_slot") {
          ++checks_[c_winners].tried;
          fail_check(c_winners, i, r);
          return finish(i, "winner refused");
        }
        if (code == "room_closed") return finish(i, "room closed");
        if ((code == "pow_required" || code == "pow_invalid" || code == "pow_replayed") && f.attempts < 3) {
          // Ops asked for a proof of work: solve the challenge the refusal names, as the page does.
          ++f.attempts;
          auto challenge = json_string(body, "/error/pow/challenge").value_or("");
          auto bits = static_cast<unsigned>(json_int(body, "/error/pow/bits").value_or(0));
          f.pow_proof = std::string(challenge) + ":" + pow::solve(challenge, account(i), bits);
          ++pow_solved_;
          return go(i, step::join, 0);
        }
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::state:
        if (r.status == 200 || r.status == 304) {
          if (r.status == 200) {
            room.etag = r.etag;
            room.serving = static_cast<std::uint64_t>(json_int(body, "/serving").value_or(0));
            room.status = std::string(json_string(body, "/status").value_or(""));
            room.rate = static_cast<std::uint64_t>(json_int(body, "/admit_rate").value_or(0));
            room.fetched_us = now_us();
            f.sent_serving = room.serving;
          }
          f.etag = room.etag;
          return after_state(i);
        }
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::position:
        if (r.status == 200) {
          if (json_true(body, "/known")) {
            f.position_known = true;
            f.position = static_cast<std::uint64_t>(json_int(body, "/position").value_or(0));
            if (json_true(body, "/admissible")) return go(i, step::admit);
          }
          return go(i, step::state, jitter(i, o_.poll, 0.3));
        }
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::admit:
        if (r.status == 200) {
          f.access_token = std::string(json_string(body, "/access_token").value_or(""));
          f.queue_token.clear();
          f.admitted = true;
          --waiting_;
          ++admitted_;
          ++room.out.admitted;
          room.admissions.push_back({f.position, now_us()});
          return go(i, step::heartbeat, jitter(i, o_.think, 0.5) / 2);
        }
        if (code == "not_yet") return go(i, step::state, jitter(i, o_.poll, 0.3));
        if (code == "room_full") return go(i, step::admit, (r.retry_after > 0 ? r.retry_after : 1) * 1'000'000LL + jitter(i, o_.poll, 0.5));
        if (code == "room_closed") return finish(i, "room closed");
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::heartbeat:
        if (r.status == 200) {
          std::int64_t later = jitter(i, o_.think, 0.5) / 2;
          if (f.q == quirk::forged) return go(i, step::forged_hold, later);
          if (f.q == quirk::over_limit) return go(i, step::over_limit_hold, later);
          return go(i, step::hold, later);
        }
        if (code == "session_expired") return finish(i, "session expired");
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::forged_hold:
        if (retry(i, r)) return;  // no answer yet: not an outcome
        ++checks_[c_forged].tried;
        if (r.status == 401) return go(i, step::hold);
        if (r.status >= 200 && r.status < 300) fail_check(c_forged, i, r);
        return unexpected(i, s, r);

      case step::over_limit_hold:
        if (retry(i, r)) return;
        ++checks_[c_over_limit].tried;
        ++f.hold_round;  // the refused request's key is not reused
        if (r.status == 409 || r.status == 422) return go(i, step::hold);
        if (r.status >= 200 && r.status < 300) fail_check(c_over_limit, i, r);
        return unexpected(i, s, r);

      case step::hold:
      case step::greedy_hold:
        return on_hold(i, s, r, code);

      case step::replay:
        if (retry(i, r)) return;
        ++checks_[c_replay].tried;
        if (r.status != 201 || json_string(body, "/hold_id").value_or("") != f.hold_id) fail_check(c_replay, i, r);
        return go(i, step::pay, jitter(i, o_.pay, 0.5));

      case step::confirm:
      case step::confirm_again:
        if (r.status == 200) {
          if (s == step::confirm_again) {
            ++checks_[c_confirm_replay].tried;
            if (json_string(body, "/payment_ref").value_or("") != "pay-" + f.hold_id) fail_check(c_confirm_replay, i, r);
          } else {
            auto items = choose_items(i, f.hold_round, f.greedy);
            check_hold(e_, *room.phase, items);  // canonical order, as stored
            sales_.push_back({f.hold_id, account(i), room.phase->id, encode_items(items), "pay-" + f.hold_id});
            bought_ += f.hold_tickets;
            if (f.replays) return go(i, step::confirm_again);
          }
          if (f.q == quirk::greedy && f.hold_round < 4) {
            ++f.hold_round;
            return go(i, step::greedy_hold, jitter(i, o_.think, 0.5));
          }
          return finish(i, "bought");
        }
        if (code == "hold_expired") return finish(i, "hold expired before payment");
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      case step::release:
        if (r.status == 200) return finish(i, "released the hold");
        if (retry(i, r)) return;
        return unexpected(i, s, r);

      default: return;
    }
  }

  void on_hold(std::uint32_t i, step s, const http_result& r, std::string_view code) {
    fan& f = fans_[i];
    const bool greedy = f.greedy;
    if (f.pending > 1) {  // the first answer of a double click: wait for the second
      --f.pending;
      if (r.status == 201) f.hold_id = std::string(json_string(r.body, "/hold_id").value_or(""));
      return;
    }
    const bool twin = f.pending == 1;
    f.pending = 0;
    if (twin) ++checks_[c_double].tried;
    if (r.status == 201) {
      std::string id(json_string(r.body, "/hold_id").value_or(""));
      if (twin && !f.hold_id.empty() && f.hold_id != id) fail_check(c_double, i, r);
      f.hold_id = id;
    }
    if (r.status == 201 || (twin && !f.hold_id.empty())) {  // the other click got the hold
      ++holds_;
      auto items = choose_items(i, f.hold_round, greedy);
      f.hold_tickets = 0;
      for (auto& it : items) f.hold_tickets += it.quantity;
      f.tickets += f.hold_tickets;
      ++checks_[c_limits].tried;
      if (f.tickets > e_.limits.per_account) fail_check(c_limits, i, r);
      if (f.replays) return go(i, step::replay);
      return go(i, step::pay, jitter(i, o_.pay, 0.5));
    }
    if (code == "sold_out") {
      if (greedy) return finish(i, "bought");
      if (++f.hold_round < 4) return go(i, step::hold, jitter(i, o_.think, 0.5) / 4);
      return finish(i, "sold out");
    }
    if (code == "limit_account" || code == "limit_session" || code == "limit_ceremony") {
      if (greedy) return finish(i, "bought");  // stopped at the limit, as it must be
      return unexpected(i, s, r);
    }
    if (code == "session_expired") return finish(i, "session expired");
    if (retry(i, r)) return;
    return unexpected(i, s, r);
  }

  // ---- arrival ----
  void arrive(std::uint32_t i) {
    fan& f = fans_[i];
    fan_rng rng(o_.seed, i, 2);
    auto& room = room_of(i);
    const phase_config& p = *room.phase;
    int slot = plan_.slot[i] >= 0 ? plan_.slot[i] : 0;
    std::int64_t open = p.slots[static_cast<std::size_t>(slot)].start_ms * 1000;
    std::int64_t pre = std::min<std::int64_t>(p.pre_queue.count(), 10'000) * 1000;
    double u = rng.uniform();
    std::int64_t at;
    if (plan_.slot[i] >= 0 && u < o_.early && p.pre_queue.count() > 0) {
      f.early = true;
      at = open - p.pre_queue.count() * 1000 - static_cast<std::int64_t>(1'000'000 + rng.below(4'000'000));
    } else if (plan_.slot[i] >= 0 && u < o_.early + o_.pre_queue && pre > 0) {
      at = open - 1 - static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(pre)));
    } else {
      at = open + static_cast<std::int64_t>(-std::log(1.0 - rng.uniform()) * static_cast<double>(o_.spread.count()) * 1000.0);
    }
    double m = rng.uniform();
    if (m < o_.misbehave) f.q = static_cast<quirk>(1 + rng.below(4));
    f.confirms = rng.uniform() < o_.confirm;
    f.releases = rng.uniform() < 0.5;
    f.replays = rng.uniform() < o_.retry;
    f.next = step::join;
    schedule(i, at);
  }

  // Steps decided without asking the gateway; false when no request leaves now.
  bool prepare(std::uint32_t i) {
    fan& f = fans_[i];
    if (f.next == step::done) return false;
    if (f.next == step::pay) {
      if (f.confirms) go(i, step::confirm);
      else if (f.releases) go(i, step::release);
      else finish(i, "walked away from the hold");
      return false;
    }
    if (f.next == step::state && o_.cdn) {
      auto& room = room_of(i);
      if (room.fetched_us && now_us() - room.fetched_us < 1'000'000) {  // max-age=1: the CDN answers
        ++cdn_hits_;
        f.sent_serving = room.serving;
        after_state(i);
        return false;
      }
    }
    if ((f.next == step::hold || f.next == step::greedy_hold) && f.pending == 0) {
      f.hold_id.clear();
      f.greedy = f.next == step::greedy_hold;
      if (f.q == quirk::double_click && f.hold_round == 0) {
        f.pending = 2;
        make_ready(i);  // the second click, at the same moment
      }
    }
    return true;
  }

 private:
  const edition_config& e_;
  const surge_options& o_;
  const surge_secrets& s_;
  net::ip::tcp::endpoint target_;
  draw_outcome& plan_;
  recorder& rec_;
  std::ostream& log_;
  bool registering_;
  net::io_context ioc_;
  net::steady_timer clock_;
  std::int64_t clock_at_ = 0;
  std::vector<fan> fans_;
  std::vector<room_view> rooms_;
  std::priority_queue<std::pair<std::int64_t, std::uint32_t>, std::vector<std::pair<std::int64_t, std::uint32_t>>,
                      std::greater<>>
      heap_;
  lane ready_, polls_;
  bool stopping_ = false, deadline_hit_ = false;
  std::int64_t start_us_ = 0;
  std::int64_t waiting_ = 0;
  std::uint64_t cdn_hits_ = 0, pow_solved_ = 0;
  double cpu_ = 0;
  std::uint64_t admitted_ = 0, bought_ = 0, holds_ = 0, finished_ = 0, registered_ = 0, done_target_ = 0;
  std::map<std::string, std::uint64_t> endings_;
  check checks_[c_count];
  std::vector<sale> sales_;
};

}  // namespace

bool surge_result::ok() const {
  for (auto& c : checks)
    if (c.failed) return false;
  return true;
}

draw_outcome plan_fans(const edition_config& e, const surge_options& o) {
  draw_outcome d;
  d.slot.assign(o.fans, -1);
  d.phase.assign(o.fans, 0);
  d.registered.assign(o.fans, 0);
  double total = 0;
  for (auto& [p, w] : o.mix) total += w;
  for (std::uint64_t i = 0; i < o.fans; ++i) {
    double u = fan_rng(o.seed, i, 3).uniform() * total;
    std::size_t k = 0;
    for (; k + 1 < o.mix.size(); ++k)
      if ((u -= o.mix[k].second) < 0) break;
    d.phase[i] = static_cast<std::uint8_t>(k);
    if (!e.find_phase(o.mix[k].first)->draw) d.slot[i] = 0;
  }
  return d;
}

void register_fans(const edition_config& e, const surge_options& o, const surge_secrets& s,
                   const net::ip::tcp::endpoint& target, draw_outcome& plan, recorder& rec, std::ostream& log) {
  fan_engine(e, o, s, target, plan, rec, log, true).run();
}

surge_result run_surge(const edition_config& e, const surge_options& o, const surge_secrets& s,
                       const net::ip::tcp::endpoint& target, const draw_outcome& plan, recorder& rec, std::ostream& log) {
  draw_outcome copy = plan;
  fan_engine engine(e, o, s, target, copy, rec, log, false);
  engine.run();
  return engine.result();
}

}  // namespace guichet::loadtest
