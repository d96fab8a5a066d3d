#include "loadtest/throughput.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iomanip>
#include <ostream>

#include "core/checkout.hpp"
#include "core/jwt.hpp"
#include "loadtest/json_reply.hpp"

namespace guichet::loadtest {
namespace {

using clock = std::chrono::steady_clock;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

class load_engine {
 public:
  load_engine(const edition_config& e, const load_options& o, const load_keys& k, const net::ip::tcp::endpoint& t,
              recorder& rec, std::ostream& log)
      : e_(e), p_(*e.find_phase(o.phase)), o_(o), k_(k), target_(t), rec_(rec), log_(log),
        base_("/rooms/" + e.id + "/" + o.phase + "/") {
    for (auto& s : e.sessions)
      if (std::find(p_.excluded.begin(), p_.excluded.end(), s.id) == p_.excluded.end()) sellable_.push_back(&s);
  }

  load_result run() {
    load_result res;
    if (o_.scenario == "hold") {
      net::co_spawn(ioc_, setup(res), net::detached);
      ioc_.run();
      ioc_.restart();
      if (!res.error.empty()) return res;
    }
    rec_.start();
    start_ = clock::now();
    net::co_spawn(ioc_, ticker(), net::detached);
    for (unsigned c = 0; c < o_.connections; ++c) net::co_spawn(ioc_, worker(), net::detached);
    ioc_.run();
    res.seconds = rec_.elapsed_s();
    res.requests = rec_.total_requests();
    res.late = late_;
    if (o_.scenario == "hold" && !k_.admin_key.empty()) {
      net::co_spawn(ioc_, restore_room(), net::detached);
      ioc_.restart();
      ioc_.run();
    }
    return res;
  }

 private:
  std::string fan(std::uint64_t i) const { return o_.prefix + "-" + std::to_string(o_.seed) + "-" + std::to_string(i); }
  std::string identity(std::uint64_t i) const {
    auto exp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 3600;
    return sign_jwt(k_.jwt_key, "{\"sub\":\"" + fan(i) + "\",\"exp\":" + std::to_string(exp) + "}");
  }

  // hold: admitted shoppers first, through the real join and admit; the room's outflow is raised
  // for the set-up (admin key) and put back afterwards.
  net::awaitable<void> setup(load_result& res) {
    http_connection admin(ioc_.get_executor(), target_);
    if (!k_.admin_key.empty()) {
      auto st = make_request(http::verb::get, base_ + "state", {});
      auto r = co_await admin.send(st, o_.timeout);
      saved_rate_ = json_int(r.body, "/admit_rate").value_or(p_.admit_rate);
      saved_max_ = json_int(r.body, "/max_active").value_or(p_.max_active);
      auto up = make_request(http::verb::post, "/admin/rooms/" + e_.id + "/" + p_.id, k_.admin_key,
                     "{\"admit_rate\":1000000,\"max_active\":" + std::to_string(saved_max_ + o_.shoppers) + "}");
      r = co_await admin.send(up, o_.timeout);
      if (r.status != 200) res.error = "raising the room's admit rate: " + recorder::outcome_of(r);
      // Let every worker's cached room state catch up before the first admit.
      net::steady_timer t(ioc_);
      t.expires_after(std::chrono::milliseconds(600));
      co_await t.async_wait(use_tuple);
    }
    tokens_.assign(o_.shoppers, {});
    std::uint64_t next = 0, failed = 0;
    auto one = [&]() -> net::awaitable<void> {
      http_connection c(ioc_.get_executor(), target_);
      while (next < o_.shoppers && failed < 50) {
        auto k = next++;
        auto j = make_request(http::verb::post, base_ + "join", identity(k));
        set_fan_address(j, static_cast<std::uint32_t>(k));
        auto r = co_await c.send(j, o_.timeout);
        auto q = json_string(r.body, "/queue_token");
        if (r.status != 200 || !q) {
          ++failed;
          if (res.error.empty()) res.error = "join during set-up: " + recorder::outcome_of(r);
          continue;
        }
        std::string queue(*q);
        for (int tries = 0; tries < 100; ++tries) {
          auto a = make_request(http::verb::post, base_ + "admit", queue);
          r = co_await c.send(a, o_.timeout);
          if (r.status == 200) {
            tokens_[k] = std::string(json_string(r.body, "/access_token").value_or(""));
            break;
          }
          net::steady_timer t(ioc_);
          t.expires_after(std::chrono::milliseconds(100));
          co_await t.async_wait(use_tuple);
        }
        if (tokens_[k].empty()) {
          ++failed;
          if (res.error.empty()) res.error = "admit during set-up: " + recorder::outcome_of(r);
        }
      }
    };
    auto t0 = clock::now();
    unsigned done = 0, n = std::min<unsigned>(o_.connections, 64);
    for (unsigned c = 0; c < n; ++c)
      net::co_spawn(ioc_, one(), [&](std::exception_ptr) { ++done; });
    net::steady_timer t(ioc_);
    while (done < n) {
      t.expires_after(std::chrono::milliseconds(20));
      co_await t.async_wait(use_tuple);
    }
    std::erase_if(tokens_, [](auto& s) { return s.empty(); });
    if (tokens_.empty() && res.error.empty()) res.error = "no shopper could be admitted";
    if (!tokens_.empty()) res.error.clear();
    res.setup = std::to_string(tokens_.size()) + " shoppers joined and admitted in " +
                std::to_string(std::chrono::duration<double>(clock::now() - t0).count()).substr(0, 4) + " s";
    co_return;
  }

  net::awaitable<void> restore_room() {
    http_connection admin(ioc_.get_executor(), target_);
    auto req = make_request(http::verb::post, "/admin/rooms/" + e_.id + "/" + p_.id, k_.admin_key,
                    "{\"admit_rate\":" + std::to_string(saved_rate_) + ",\"max_active\":" + std::to_string(saved_max_) + "}");
    co_await admin.send(req, o_.timeout);
  }

  request next_request(std::uint64_t k, endpoint& ep) {
    if (o_.scenario == "poll") {
      ep = endpoint::state;
      return make_request(http::verb::get, base_ + "state", {});
    }
    if (o_.scenario == "join") {
      ep = endpoint::join;
      auto j = make_request(http::verb::post, base_ + "join", identity(k));
      set_fan_address(j, static_cast<std::uint32_t>(k));
      return j;
    }
    ep = endpoint::hold;
    std::uint64_t x = k * 0x9e3779b97f4a7c15ULL + o_.seed;
    std::string body = "{\"items\":[";
    std::size_t n = p_.rules == phase_rules::packs ? 3 : 1;
    for (std::size_t j = 0; j < n && j < sellable_.size(); ++j) {
      auto* s = sellable_[(x + j) % sellable_.size()];
      body += (j ? "," : "") + std::string("{\"session\":\"") + s->id + "\",\"category\":\"" +
              s->categories[(x >> 20) % s->categories.size()].first + "\",\"quantity\":1}";
    }
    auto req = make_request(http::verb::post, "/editions/" + e_.id + "/phases/" + p_.id + "/holds", tokens_[k % tokens_.size()],
                    body + "]}");
    req.set("Idempotency-Key", fan(k) + "-" + std::to_string(k));
    return req;
  }

  net::awaitable<void> worker() {
    http_connection conn(ioc_.get_executor(), target_);
    net::steady_timer wait(ioc_);
    const auto end = start_ + o_.duration;
    for (;;) {
      auto now = clock::now();
      if (now >= end || issued_ >= o_.max_requests) co_return;
      std::uint64_t k = issued_++;
      auto intended = now;
      if (o_.rate > 0) {
        intended = start_ + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(static_cast<double>(k) / o_.rate));
        if (intended >= end) co_return;
        if (intended > now) {
          wait.expires_at(intended);
          co_await wait.async_wait(use_tuple);
        } else if (now - intended > std::chrono::milliseconds(1)) {
          ++late_;
        }
      }
      endpoint ep;
      auto req = next_request(k, ep);
      auto r = co_await conn.send(req, o_.timeout);
      auto lat = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - intended).count();
      rec_.record(ep, r, static_cast<std::uint64_t>(lat));
    }
  }

  net::awaitable<void> ticker() {
    net::steady_timer t(ioc_);
    auto next = start_;
    while (clock::now() < start_ + o_.duration && issued_ < o_.max_requests) {
      next += std::chrono::seconds(1);
      t.expires_at(next);
      co_await t.async_wait(use_tuple);
      auto& s = rec_.tick(rec_.elapsed_s(), {});
      if (o_.progress)
        log_ << "[" << std::setw(4) << static_cast<long>(s.t) << " s] " << s.requests << " req/s  p50 " << std::fixed
             << std::setprecision(2) << static_cast<double>(s.p50_us) / 1000.0 << " ms  p99 "
             << static_cast<double>(s.p99_us) / 1000.0 << " ms  errors " << s.errors << "\n"
             << std::flush;
    }
  }

  const edition_config& e_;
  const phase_config& p_;
  const load_options& o_;
  const load_keys& k_;
  net::ip::tcp::endpoint target_;
  recorder& rec_;
  std::ostream& log_;
  std::string base_;
  std::vector<const session_config*> sellable_;
  net::io_context ioc_;
  clock::time_point start_;
  std::uint64_t issued_ = 0, late_ = 0;
  std::vector<std::string> tokens_;
  std::int64_t saved_rate_ = 0, saved_max_ = 0;
};

}  // namespace

load_result run_load(const edition_config& e, const load_options& o, const load_keys& keys,
                     const net::ip::tcp::endpoint& target, recorder& rec, std::ostream& log) {
  return load_engine(e, o, keys, target, rec, log).run();
}

}  // namespace guichet::loadtest
