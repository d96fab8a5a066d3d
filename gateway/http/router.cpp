#include "gateway/http/router.hpp"

#include <stdexcept>

namespace guichet::http {

std::size_t router::add(http::verb method, std::string_view pattern, std::string name, route_policy policy) {
  route r{method, {}, 0, std::move(name), policy};
  std::string_view p = pattern;
  while (!p.empty()) {
    if (p.front() == '/') p.remove_prefix(1);
    auto slash = p.find('/');
    std::string_view text = p.substr(0, slash);
    const bool param = text.size() >= 2 && text.front() == '{' && text.back() == '}';
    r.segments.push_back({std::string(param ? text.substr(1, text.size() - 2) : text), param});
    r.params += param;
    p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash);
  }
  if (r.segments.size() > segments_view{}.seg.size()) throw std::invalid_argument("route pattern too deep: " + r.name);
  by_depth_[r.segments.size()].push_back(routes_.size());
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

bool router::split(std::string_view path, segments_view& out) {
  out.n = 0;
  while (!path.empty()) {
    if (out.n == out.seg.size()) return false;
    path.remove_prefix(1);  // the '/'
    auto slash = path.find('/');
    out.seg[out.n++] = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return true;
}

bool router::matches(const route& r, const segments_view& path, path_params* params) {
  if (r.segments.size() != path.n) return false;
  // Last segment first: the routes of one depth mostly differ at their end (/rooms/{e}/{p}/state,
  // /rooms/{e}/{p}/position, ...), so a route that does not match is mostly left after one compare.
  for (std::size_t i = path.n; i-- > 0;) {
    const segment& want = r.segments[i];
    if (want.param ? path.seg[i].empty() : want.text != path.seg[i]) return false;
  }
  if (params)
    for (std::size_t i = 0; i < path.n; ++i)
      if (r.segments[i].param) params->add(r.segments[i].text, path.seg[i]);
  return true;
}

router::match router::find(http::verb method, std::string_view target, path_params& params,
                           listener_view view) const {
  for (std::string_view scheme : {"http://", "https://"})
    if (target.size() > scheme.size() && target.substr(0, scheme.size()) == scheme) {
      auto slash = target.find('/', scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      break;
    }
  auto path = target.substr(0, target.find('?'));
  if (path.empty() || path.front() != '/') return {match::kind::not_found};
  // Split once; a path of more segments than any route has matches none.
  segments_view segs;
  if (!split(path, segs)) return {match::kind::not_found};
  // Literal routes win over parameter routes: the route with the fewest parameters among those
  // that match is taken (the routes are few).
  std::string allow;
  std::size_t best = routes_.size();
  for (std::size_t i : by_depth_[segs.n]) {
    const route& r = routes_[i];
    if (!matches(r, segs, nullptr) || !visible(r, view)) continue;
    if (r.method != method) {
      if (allow.find(http::to_string(r.method)) == std::string::npos) {
        if (!allow.empty()) allow += ", ";
        allow += http::to_string(r.method);
      }
      continue;
    }
    if (best == routes_.size() || r.params < routes_[best].params) best = i;
  }
  if (best < routes_.size()) {
    matches(routes_[best], segs, &params);
    return {match::kind::found, best, {}};
  }
  if (!allow.empty()) return {match::kind::method_not_allowed, 0, std::move(allow)};
  return {match::kind::not_found};
}

}  // namespace guichet::http
