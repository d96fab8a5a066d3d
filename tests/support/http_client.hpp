#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace guichet::test {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// A blocking HTTP/1.1 client over one TCP connection, for tests: it writes raw bytes and
/// parses Content-Length responses, so tests can send malformed or pipelined requests.
class http_client {
 public:
  explicit http_client(int port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~http_client();
  http_client(const http_client&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send_raw(const std::string& bytes);
  /// Reads one response; nullopt on timeout or close.
  std::optional<http_reply> read();
  /// True when the server closed the connection (reads EOF within the timeout).
  bool closed_by_peer();
  std::optional<http_reply> request(const std::string& method, const std::string& target,
                                    const std::string& body = {},
                                    const std::string& extra_headers = {});

 private:
  int fd_ = -1;
  std::string buf_;
};

}  // namespace guichet::test
