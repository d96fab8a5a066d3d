#include "gateway/ops_routes.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "gateway/metrics.hpp"
#include "gateway/responses.hpp"
#include "gateway/server.hpp"

namespace guichet {

void add_ops_routes(route_table& t) {
  t.add(http::verb::get, "/healthz", "healthz", {.unmetered = true, .listener = exposure::both}, [](request_context& c) -> net::awaitable<reply> {
    c.out += R"({"status":"ok"})";
    co_return reply::json(http::status::ok);
  });
  t.add(http::verb::get, "/readyz", "readyz", {.unmetered = true, .listener = exposure::both}, [](request_context& c) -> net::awaitable<reply> {
    if (!c.w.srv.ready())
      co_return error_response(c.req.version(), errc::unavailable, {},
                               "redis is not connected, scripts are not loaded, or room caches are cold");
    c.out += R"({"status":"ready"})";
    co_return reply::json(http::status::ok);
  });
  t.add(http::verb::get, "/metrics", "metrics", {.unmetered = true, .listener = exposure::ops}, [](request_context& c) -> net::awaitable<reply> {
    auto stats = c.w.srv.stats();
    response res{http::status::ok, c.req.version()};
    res.set(http::field::server, "guichet");
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = render_metrics(c.w.srv.routes().routes, stats, &c.w.srv.redis_view(), c.w.srv.identity_keys());
    render_room_metrics(res.body(), *c.w.rooms, *c.w.stock);
    render_phase_metrics(res.body(), c.w.cfg, stats);
    render_process_metrics(res.body());
    res.prepare_payload();
    co_return res;
  });
}

}  // namespace guichet
