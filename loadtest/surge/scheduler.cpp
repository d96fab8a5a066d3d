#include "loadtest/surge/fan_engine.hpp"

namespace guichet::loadtest {

fan_engine::fan_engine(const edition_config& e, const surge_options& o, const surge_secrets& s,
                       const net::ip::tcp::endpoint& target, draw_outcome& plan, recorder& rec, std::ostream& log,
                       bool registering)
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

void fan_engine::run() {
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

surge_result fan_engine::result() {
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
    room.out.order = measure_fairness(room.admissions);
    room.out.admissions = std::move(room.admissions);
    r.rooms.push_back(room.out);
  }
  return r;
}

void fan_engine::schedule(std::uint32_t i, std::int64_t at) {
  fans_[i].at_us = at;
  if (at <= now_us()) return make_ready(i);
  heap_.push({at, i});
  if (at < clock_at_) clock_.cancel();
}

void fan_engine::go(std::uint32_t i, step s, std::int64_t delay_us) {
  fans_[i].attempts = 0;
  fans_[i].next = s;
  schedule(i, now_us() + std::max<std::int64_t>(delay_us, 0));
}

void fan_engine::make_ready(std::uint32_t i) {
  auto n = fans_[i].next;
  lane& l = !registering_ && (n == step::state || n == step::position) ? polls_ : ready_;
  l.due.push_back(i);
  if (!l.parked.empty()) {
    l.parked.back()->cancel();
    l.parked.pop_back();
  }
}

net::awaitable<std::uint32_t> fan_engine::next_ready(lane& l, net::steady_timer& park) {
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

net::awaitable<void> fan_engine::clock() {
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

void fan_engine::stop() {
  stopping_ = true;
  clock_.cancel();
  for (auto* l : {&ready_, &polls_}) {
    for (auto* p : l->parked) p->cancel();
    l->parked.clear();
  }
}

net::awaitable<void> fan_engine::ticker() {
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

net::awaitable<void> fan_engine::worker(lane& l) {
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

}  // namespace guichet::loadtest
