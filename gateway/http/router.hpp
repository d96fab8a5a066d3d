#pragma once
#include <ostream>  // boost/core/detail/string_view.hpp in Boost 1.81 needs it first

#include <boost/beast/http/verb.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace guichet::http {

// guichet's HTTP layer (this folder) speaks Beast's vocabulary: http::verb, http::status,
// http::field, the parser and message templates are reachable as http:: names too.
using namespace boost::beast::http;

/// Path parameters captured by a route pattern such as "/rooms/{edition}/{phase}".
class path_params {
 public:
  std::string_view get(std::string_view name) const {
    for (std::size_t i = 0; i < n_; ++i)
      if (items_[i].first == name) return items_[i].second;
    return {};
  }
  void add(std::string_view name, std::string_view value) {
    if (n_ < items_.size()) items_[n_++] = {name, value};
  }
  std::size_t size() const { return n_; }
  void clear() { n_ = 0; }

 private:
  std::array<std::pair<std::string_view, std::string_view>, 8> items_{};
  std::size_t n_ = 0;
};

/// What a shared cache (the CDN in front) may keep of a route's answers. Decided per route in
/// the route table and applied by the session to every answer, so a new route cannot forget it.
namespace cache_rule {
/// Anything that depends on a token, a credential or an account, and every ops answer.
inline constexpr std::string_view personal = "private, no-store";
/// The same bytes for everyone, at most a second old (room state, availability).
inline constexpr std::string_view public_1s = "public, max-age=1";
/// The fans' pages: the same HTML for everyone (per language), a minute old at most.
inline constexpr std::string_view public_page = "public, max-age=60";
/// Content-hashed assets: a new content is a new URL, so the old one never changes.
inline constexpr std::string_view immutable = "public, max-age=31536000, immutable";
}  // namespace cache_rule

/// Which listener serves a route when `[server] ops_port` sets a separate ops listener (without
/// one, the public listener serves every route).
enum class exposure : std::uint8_t {
  fans,  ///< the public listener only
  ops,   ///< the ops listener only (/metrics, /admin/*): the public one answers 404
  both,  ///< probes (/healthz, /readyz): load balancers and ops both ask
};

/// The routes one listener sees.
enum class listener_view : std::uint8_t { all, fans, ops };

/// Per-route request policy.
struct route_policy {
  std::size_t max_body = 0;   ///< 0 = the server-wide body limit
  bool json_body = false;     ///< requires Content-Type: application/json (else 415)
  bool needs_redis = false;   ///< answers 503 at once while Redis is down
  bool unmetered = false;     ///< exempt from the per-client-IP budget (probes, scrapes)
  bool door = false;          ///< join and register: also the door's per-client budget (limits.door_per_ip_*)
  /// Cache-Control of the route's answers below 400; errors are always cache_rule::personal.
  std::string_view cache = cache_rule::personal;
  exposure listener = exposure::fans;
};

/// Matches method + path to a route index. Patterns are split into segments once; a segment
/// "{name}" matches any non-empty segment. Literal segments win over parameters.
class router {
 public:
  struct match {
    enum class kind { found, not_found, method_not_allowed } result;
    std::size_t route = 0;     ///< valid when found
    std::string allow;         ///< valid when method_not_allowed: "GET, POST"
  };

  /// Adds a route and returns its index (used to label metrics and to find the handler).
  std::size_t add(http::verb method, std::string_view pattern, std::string name, route_policy policy = {});

  /// `target` in origin-form ("/path?query") or absolute-form ("http://host/path?query", RFC 9112
  /// 3.2.2: routed by its path).
  match find(http::verb method, std::string_view target, path_params& params,
             listener_view view = listener_view::all) const;
  /// True when some route answers `method` (else the gateway answers 501 on any path).
  bool implements(http::verb method) const {
    for (auto& r : routes_)
      if (r.method == method) return true;
    return false;
  }

  std::size_t size() const { return routes_.size(); }
  const std::string& name(std::size_t i) const { return routes_[i].name; }
  const route_policy& policy(std::size_t i) const { return routes_[i].policy; }

 private:
  /// A pattern's segment: a literal, or a parameter ("{name}": `text` holds the name).
  struct segment {
    std::string text;
    bool param = false;
  };
  struct route {
    http::verb method;
    std::vector<segment> segments;
    std::size_t params;  ///< how many of the segments are "{name}"
    std::string name;
    route_policy policy;
  };
  /// A path's segments, split once per request ("/a/b" -> "a", "b").
  struct segments_view {
    std::array<std::string_view, 16> seg;
    std::size_t n = 0;
  };
  /// False when the path has more segments than segments_view holds (no route has as many).
  static bool split(std::string_view path, segments_view& out);
  static bool matches(const route& r, const segments_view& path, path_params* params);
  static bool visible(const route& r, listener_view v) {
    return v == listener_view::all || r.policy.listener == exposure::both ||
           (r.policy.listener == exposure::ops) == (v == listener_view::ops);
  }
  std::vector<route> routes_;
  /// The routes of each segment count, in the order they were added: a path is compared only
  /// with the routes as deep as it is.
  std::array<std::vector<std::size_t>, 17> by_depth_;
};

}  // namespace guichet::http
