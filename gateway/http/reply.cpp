#include "gateway/http/reply.hpp"

#include <boost/beast/http/field.hpp>

#include "core/json_escape.hpp"
#include "gateway/http/router.hpp"

namespace guichet::http {

const std::string& security_header_lines() {
  static const std::string lines = "Content-Security-Policy: " + std::string(content_security_policy) +
                                   "\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
  return lines;
}

response json_response(unsigned version, http::status status, std::string body) {
  response res{status, version};
  res.set(http::field::server, "guichet");
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

reply error_response(unsigned version, errc e, std::string_view extra, std::string_view message,
                     unsigned retry_after_s) {
  const error_info& i = info(e);
  std::string body;
  body.reserve(96 + extra.size());
  body += "{\"error\":{\"code\":\"";
  body += i.code;
  body += "\",\"message\":\"";
  append_json_escaped(body, message.empty() ? i.message : message);
  body += '"';
  if (!extra.empty()) {
    body += ',';
    body += extra;
  }
  body += "}}";
  auto res = json_response(version, static_cast<http::status>(i.status), std::move(body));
  res.set(http::field::cache_control, cache_rule::personal);
  if (i.status == 429 || i.status == 503) res.set(http::field::retry_after, std::to_string(retry_after_s));
  reply r{std::move(res)};
  r.error = e;
  return r;
}

}  // namespace guichet::http
