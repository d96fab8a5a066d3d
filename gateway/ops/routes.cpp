#include "gateway/ops/routes.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "gateway/identity/metrics.hpp"
#include "gateway/metrics/prometheus.hpp"
#include "gateway/http/reply.hpp"
#include "gateway/server/server.hpp"

namespace guichet::ops {

void add_ops_routes(server::route_table& t) {
  t.add(http::verb::get, "/healthz", "healthz", {.unmetered = true, .listener = http::exposure::both}, [](server::request_context& c) -> net::awaitable<http::reply> {
    c.out += R"({"status":"ok"})";
    co_return http::reply::json(http::status::ok);
  });
  t.add(http::verb::get, "/readyz", "readyz", {.unmetered = true, .listener = http::exposure::both}, [](server::request_context& c) -> net::awaitable<http::reply> {
    if (!c.w.srv.ready())
      co_return http::error_response(c.req.version(), errc::unavailable, {},
                               "redis is not connected, scripts are not loaded, or room caches are cold");
    c.out += R"({"status":"ready"})";
    co_return http::reply::json(http::status::ok);
  });
  t.add(http::verb::get, "/metrics", "metrics", {.unmetered = true, .listener = http::exposure::ops}, [](server::request_context& c) -> net::awaitable<http::reply> {
    auto stats = c.w.srv.stats();
    http::response res{http::status::ok, c.req.version()};
    res.set(http::field::server, "guichet");
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    // Each part renders its own section: the machinery's, the identity provider's, then each
    // feature's per-thread state as this worker sees it.
    std::string& out = res.body();
    out = metrics::render_metrics(c.w.srv.routes().routes, stats, &c.w.srv.redis_view());
    if (const identity::jwks_watch* keys = c.w.srv.identity_keys()) identity::render_identity_metrics(out, *keys);
    c.w.each_state([&](const server::per_thread& s) { s.render_metrics(out); });
    metrics::render_phase_metrics(out, c.w.cfg, stats);
    metrics::render_process_metrics(res.body());
    res.prepare_payload();
    co_return res;
  });
}

}  // namespace guichet::ops
