#include "gateway/http/router.hpp"

namespace guichet::http {

std::size_t router::add(http::verb method, std::string_view pattern, std::string name, route_policy policy) {
  route r{method, {}, std::move(name), policy};
  std::string_view p = pattern;
  while (!p.empty()) {
    if (p.front() == '/') p.remove_prefix(1);
    auto slash = p.find('/');
    r.segments.emplace_back(p.substr(0, slash));
    p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash);
  }
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

bool router::matches(const route& r, std::string_view path, path_params* params) {
  std::size_t i = 0;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    auto slash = path.find('/');
    auto seg = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    if (i >= r.segments.size()) return false;
    const std::string& want = r.segments[i++];
    if (!want.empty() && want.front() == '{') {
      if (seg.empty()) return false;
      if (params) params->add(std::string_view(want).substr(1, want.size() - 2), seg);
    } else if (want != seg) {
      return false;
    }
  }
  return i == r.segments.size();
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
  // Two passes keep literal routes ahead of parameter routes without sorting tricks:
  // the routes are few, and the first literal-exact match wins.
  std::string allow;
  std::size_t best = routes_.size();
  int best_params = 1 << 20;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const route& r = routes_[i];
    if (!visible(r, view) || !matches(r, path, nullptr)) continue;
    if (r.method != method) {
      if (allow.find(http::to_string(r.method)) == std::string::npos) {
        if (!allow.empty()) allow += ", ";
        allow += http::to_string(r.method);
      }
      continue;
    }
    int n = 0;
    for (auto& s : r.segments) n += !s.empty() && s.front() == '{';
    if (n < best_params) best = i, best_params = n;
  }
  if (best < routes_.size()) {
    matches(routes_[best], path, &params);
    return {match::kind::found, best, {}};
  }
  if (!allow.empty()) return {match::kind::method_not_allowed, 0, std::move(allow)};
  return {match::kind::not_found};
}

}  // namespace guichet::http
