#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "gateway/http/reply.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/router.hpp"
#include "gateway/metrics/worker_stats.hpp"

namespace guichet::server {

/// One request and its answer: what a session keeps from reading a request to writing its
/// answer. A session borrows one from its worker per request (object_pool) and gives it back
/// before waiting for the next, so an idle connection's coroutine frame holds none of it, and
/// the strings keep their capacity from one request to the next (no allocation).
struct exchange {
  std::optional<http::request_parser> parser;
  http::path_params params;
  http::router::match m{http::router::match::kind::not_found};
  std::size_t route = metrics::kMaxRoutes;  ///< the matched route, metrics::kMaxRoutes for none
  std::optional<errc> failed;      ///< the read failed: this is the answer, then the connection closes
  std::size_t head_used = 0;       ///< the head's bytes in the read buffer, consumed once answered
  std::chrono::steady_clock::time_point started;  ///< the request was read (latency from here)
  http::reply answer;
  std::string out;   ///< a handler's JSON body (reply::json)
  std::string head;  ///< the head written for a response or a JSON body

  /// Ready for the next request (capacity kept).
  void reset() {
    params.clear();
    m = {http::router::match::kind::not_found};
    route = metrics::kMaxRoutes;
    failed.reset();
    head_used = 0;
    answer.clear();
    out.clear();
    head.clear();
  }
  /// The request's HTTP version (1.1 when its head was not read).
  unsigned version() const { return parser && parser->is_header_done() ? parser->get().version() : 11; }
};

}  // namespace guichet::server
