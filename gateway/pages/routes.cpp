#include "gateway/pages/routes.hpp"

#include "gateway/http/reply.hpp"
#include "gateway/pages/site.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::pages {
namespace {

std::string_view query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    if (kv.size() > name.size() && kv.starts_with(name) && kv[name.size()] == '=') return kv.substr(name.size() + 1);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

http::response file_response(const http::request& req, const web_site::file& f) {
  const bool unchanged = req[http::field::if_none_match] == f.etag;
  http::response res{unchanged ? http::status::not_modified : http::status::ok, req.version()};
  res.set(http::field::server, "guichet");
  res.set(http::field::etag, f.etag);
  if (!unchanged) {
    res.set(http::field::content_type, f.content_type);
    res.body() = f.body;
  }
  res.prepare_payload();
  return res;
}

}  // namespace

void add_web_routes(server::route_table& t, std::shared_ptr<const web_site> site) {
  if (!site) return;
  for (std::string name : {"register", "wait", "shop"}) {
    t.add(http::verb::get, "/" + name + "/{edition}/{phase}", "page_" + name,
          {.max_body = 1, .unmetered = true, .cache = http::cache_rule::public_page},
          [site, name](server::request_context& c) -> net::awaitable<http::reply> {
            const edition_config* e = c.w.cfg.find_edition(c.params.get("edition"));
            if (!e || !e->find_phase(c.params.get("phase"))) co_return http::error_response(c.req.version(), errc::unknown_room);
            auto lang = web_site::pick_language(query_param(c.req.target(), "lang"), c.req[http::field::accept_language]);
            http::response res = file_response(c.req, *site->page(name, lang));
            res.set(http::field::content_language, lang);
            res.set(http::field::vary, "Accept-Language");
            co_return res;
          });
  }
  t.add(http::verb::get, "/static/{file}", "static_asset", {.max_body = 1, .unmetered = true, .cache = http::cache_rule::immutable},
        [site](server::request_context& c) -> net::awaitable<http::reply> {
          const web_site::file* f = site->asset(c.params.get("file"));
          if (!f) co_return http::error_response(c.req.version(), errc::not_found);
          co_return file_response(c.req, *f);
        });
}

}  // namespace guichet::pages
