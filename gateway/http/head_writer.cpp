#include "gateway/http/head_writer.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

#include "core/append_int.hpp"
#include "gateway/http/reply.hpp"

namespace guichet::http {
namespace {

void status_line(std::string& out, unsigned version, unsigned status) {
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_int(out, status);
  out += ' ';
  auto reason = http::obsolete_reason(static_cast<http::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
}

void common_tail(std::string& out, unsigned version, std::string_view cache_control, bool keep) {
  out += "Cache-Control: ";
  out += cache_control;
  out += "\r\n";
  out += security_header_lines();
  if (version >= 11 && !keep) out += "Connection: close\r\n";
  if (version < 11 && keep) out += "Connection: keep-alive\r\n";
}

}  // namespace

void append_head(std::string& out, const response& res, std::string_view cache_control, bool keep) {
  status_line(out, res.version(), res.result_int());
  for (const auto& f : res) {
    const auto name = f.name();
    if (name == http::field::cache_control || name == http::field::connection || name == http::field::date) continue;
    const auto n = f.name_string();
    const auto v = f.value();
    out.append(n.data(), n.size());
    out += ": ";
    out.append(v.data(), v.size());
    out += "\r\n";
  }
  common_tail(out, res.version(), cache_control, keep);
  out += "\r\n";
}

void append_json_head(std::string& out, unsigned version, unsigned status, std::string_view cache_control,
                      std::size_t body_size, bool keep) {
  // Up to its Content-Length, the head is the same for every answer of one kind (a poll's, over
  // and over): built once per thread and kind, then copied.
  struct kind {
    unsigned version = 0, status = 0;
    std::string cache;
    bool keep = false;
  };
  thread_local kind last;
  thread_local std::string head;
  if (head.empty() || last.version != version || last.status != status || last.keep != keep || last.cache != cache_control) {
    head.clear();
    status_line(head, version, status);
    head += "Server: guichet\r\nContent-Type: application/json\r\n";
    common_tail(head, version, cache_control, keep);
    head += "Content-Length: ";
    last = {version, status, std::string(cache_control), keep};
  }
  out += head;
  append_int(out, body_size);
  out += "\r\n\r\n";
}

}  // namespace guichet::http
