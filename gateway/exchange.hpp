#pragma once
#include <memory>
#include <optional>
#include <string>

#include "gateway/http_types.hpp"
#include "gateway/request.hpp"
#include "gateway/router.hpp"

namespace guichet {

/// One request and its answer: what a session keeps from reading a request to writing its
/// answer. A session borrows one from its worker per request (object_pool) and gives it back
/// before waiting for the next, so an idle connection's coroutine frame holds none of it, and
/// the strings keep their capacity from one request to the next (no allocation).
struct exchange {
  std::optional<request_parser> parser;
  path_params params;
  router::match m{router::match::kind::not_found};
  response res;
  std::shared_ptr<const std::string> raw;  ///< a prebuilt answer, written as is
  std::string out;                         ///< a handler's JSON body (reply::json)
  std::string head;                        ///< the head written for a response or a JSON body

  /// Ready for the next request (capacity kept).
  void reset() {
    params = {};
    m = {router::match::kind::not_found};
    res = {};
    raw.reset();
    out.clear();
    head.clear();
  }
};

}  // namespace guichet
