#include "gateway/http/router.hpp"

#include <stdexcept>

namespace guichet::http {

std::size_t router::add(http::verb method, std::string_view pattern, std::string name, route_policy policy) {
  route r{method, {}, 0, std::move(name), policy};
  std::string_view p = pattern;
  while (!p.empty()) {
    if (p.front() == '/') p.remove_prefix(1);
    auto slash = p.find('/');
    r.segments.emplace_back(p.substr(0, slash));
    r.params += !r.segments.back().empty() && r.segments.back().front() == '{';
    p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash);
  }
  if (r.segments.size() > segments_view{}.seg.size()) throw std::invalid_argument("route pattern too deep: " + r.name);
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
  for (std::size_t i = 0; i < path.n; ++i) {
    const std::string& want = r.segments[i];
    std::string_view seg = path.seg[i];
    if (!want.empty() && want.front() == '{') {
      if (seg.empty()) return false;
      if (params) params->add(std::string_view(want).substr(1, want.size() - 2), seg);
    } else if (want != seg) {
      return false;
    }
  }
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
  for (std::size_t i = 0; i < routes_.size(); ++i) {
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
