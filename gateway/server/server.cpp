#include "gateway/server/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include "gateway/base/log.hpp"
#include "gateway/base/process_setup.hpp"

namespace guichet::server {

using tcp = net::ip::tcp;

server::server(const config& cfg, route_table routes, identity::runtime_secrets secrets)
    : cfg_(cfg),
      routes_(std::move(routes)),
      secrets_(std::move(secrets)),
      audit_(cfg.audit),
      fleet_(cfg.room_refresh, [this](std::shared_ptr<const fleet_state> s) {
        for (auto& w : workers_)
          net::post(w->io, [&w = *w, s] { w.each_state([&](per_thread& p) { p.follow(*s); }); });
      }) {
  unsigned n = cfg.server.threads ? cfg.server.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<worker>(*this, cfg_, secrets_, i));
  if (secrets_.jwks) jwks_watch_ = std::make_unique<identity::jwks_watch>(cfg_.identity.jwks_file, secrets_.jwks);
}

server::~server() {
  if (!threads_.empty()) drain();
}

void server::start() {
  base::prepare_process();  // also when embedded, as in the tests: SIGPIPE ignored, open-files limit raised
  auto address = net::ip::make_address(cfg_.server.listen);
  port_ = cfg_.server.port;
  for (auto& w : workers_) {
    auto a = std::make_unique<tcp::acceptor>(w->io);
    tcp::endpoint ep(address, port_);
    a->open(ep.protocol());
    a->set_option(net::socket_base::reuse_address(true));
    int one = 1;
    ::setsockopt(a->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    a->bind(ep);
    a->listen(net::socket_base::max_listen_connections);
    port_ = a->local_endpoint().port();  // port 0: the first bind picks, the others share it
    w->acceptor = std::move(a);
  }
  if (cfg_.server.ops_port >= 0) {  // little traffic: one acceptor, on the first worker
    auto& w = *workers_.front();
    tcp::endpoint ep(net::ip::make_address(cfg_.server.ops_listen), static_cast<std::uint16_t>(cfg_.server.ops_port));
    w.ops_acceptor = std::make_unique<tcp::acceptor>(w.io, ep);
    ops_port_ = w.ops_acceptor->local_endpoint().port();
  }
  for (auto& w : workers_) {
    w->redis->start();
    w->each_state([](per_thread& s) { s.start(); });
    net::co_spawn(w->io, accept_loop(*w, *w->acceptor, false), net::detached);
    if (w->ops_acceptor) net::co_spawn(w->io, accept_loop(*w, *w->ops_acceptor, true), net::detached);
    net::co_spawn(w->io, deadline_sweep(*w), net::detached);
    if (w == workers_.front()) net::co_spawn(w->io, fleet_.run(*w), net::detached);
    if (jwks_watch_ && w == workers_.front() && cfg_.identity.watch.count() > 0)
      net::co_spawn(w->io, jwks_watch_->run(cfg_.identity.watch), net::detached);
    threads_.emplace_back([&io = w->io] { io.run(); });
  }
  log::info("listening", {{"address", cfg_.server.listen}, {"port", std::to_string(port_)},
                          {"threads", std::to_string(workers_.size())}});
  if (ops_port_) log::info("ops listening", {{"address", cfg_.server.ops_listen}, {"port", std::to_string(ops_port_)}});
}

net::awaitable<void> server::accept_loop(worker& w, tcp::acceptor& acceptor, bool ops) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (ec) {
      if (!acceptor.is_open() || w.draining) co_return;
      // EMFILE and friends: back off briefly rather than spin.
      log::error("accept failed", {{"error", ec.message()}});
      net::steady_timer t(w.io, std::chrono::milliseconds(50));
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    net::co_spawn(w.io, run_session(w, std::move(socket), ops), net::detached);
  }
}

net::awaitable<void> server::deadline_sweep(worker& w) {
  net::steady_timer t(w.io);
  boost::system::error_code ec;
  for (;;) {
    t.expires_after(std::chrono::milliseconds(50));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
    if (w.draining && w.sessions.empty()) co_return;
    auto now = std::chrono::steady_clock::now();
    for (auto& s : w.sessions)
      if (!s.expired && s.deadline <= now) {
        s.expired = true;
        s.socket->cancel(ec);
      } else if (!s.lingered && s.linger_until <= now) {
        s.lingered = true;  // its read gives its buffer back and waits without one
        s.socket->cancel(ec);
      }
  }
}

net::awaitable<void> server::drain_worker(worker& w, std::chrono::steady_clock::time_point deadline) {
  w.draining = true;
  boost::system::error_code ec;
  if (w.acceptor) w.acceptor->close(ec);
  if (w.ops_acceptor) w.ops_acceptor->close(ec);
  if (jwks_watch_ && &w == workers_.front().get()) jwks_watch_->stop();
  net::steady_timer t(w.io);
  for (;;) {
    for (auto& s : w.sessions)
      if (!s.busy) s.socket->cancel(ec);  // idle keep-alive: close now
    if (w.sessions.empty() || std::chrono::steady_clock::now() >= deadline) break;
    t.expires_after(std::chrono::milliseconds(5));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
  for (auto& s : w.sessions) s.socket->close(ec);
  if (&w == workers_.front().get()) co_await fleet_.let_go(w);
  w.redis->stop();
}

void server::drain() {
  if (drained_.exchange(true)) return;
  auto deadline = std::chrono::steady_clock::now() + cfg_.timeouts.drain;
  for (auto& w : workers_) net::co_spawn(w->io, drain_worker(*w, deadline), net::detached);
  // Each io_context runs out of work once its connections, timers and Redis are gone; one that
  // does not (a handler stuck past the deadline) is stopped.
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    auto& w = *workers_[i];
    while (!w.io.stopped() && std::chrono::steady_clock::now() < deadline + std::chrono::milliseconds(500))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    w.io.stop();
    threads_[i].join();
  }
  threads_.clear();
  log::info("drained");
}

void server::reload(const config& cfg) {
  for (auto& w : workers_) {
    net::post(w->io, [&w = *w, cfg] {
      // Only the live-tunable part changes; listeners, threads and Redis endpoints need a restart.
      w.cfg.limits = cfg.limits;
      w.cfg.timeouts = cfg.timeouts;
      w.cfg.log = cfg.log;
      w.cfg.join_pow_bits = cfg.join_pow_bits;
      // Phases keep their identity; only their live knobs change.
      for (auto& e : w.cfg.editions)
        if (auto* ne = cfg.find_edition(e.id))
          for (auto& p : e.phases)
            if (auto* np = ne->find_phase(p.id)) {
              p.admit_rate = np->admit_rate;
              p.max_active = np->max_active;
              p.shopper_idle = np->shopper_idle;
              p.access_ttl = np->access_ttl;
              p.pre_queue = np->pre_queue;
            }
      w.each_state([](per_thread& s) { s.reload(); });
    });
  }
  log::set_level(cfg.log);
  if (jwks_watch_) net::post(workers_.front()->io, [this] { jwks_watch_->reload(); });  // on the thread that watches it
  log::info("config reloaded");
}

bool server::redis_ready() const {
  for (auto& w : workers_)
    if (!w->redis->ready()) return false;
  return true;
}

bool server::ready() const {
  if (!redis_ready()) return false;
  for (auto& w : workers_) {
    bool warm = true;
    w->each_state([&](const per_thread& s) { warm = warm && s.warm(); });
    if (!warm) return false;
  }
  return true;
}

std::vector<const metrics::worker_stats*> server::stats() const {
  std::vector<const metrics::worker_stats*> out;
  for (auto& w : workers_) out.push_back(&w->stats);
  return out;
}

}  // namespace guichet::server
