#pragma once
#include <string>

namespace guichet::test {

/// A real nginx (Debian nginx-light) on a free loopback port in front of one origin, with a
/// shared cache configured the way many CDNs are: a default TTL for 200 answers, honouring the
/// origin's Cache-Control. Answers carry `X-Cache-Status` ($upstream_cache_status).
class nginx_proxy {
 public:
  /// `cache_rules` goes inside the `location /` block after the defaults (e.g. extra directives).
  explicit nginx_proxy(int origin_port, const std::string& cache_rules = "proxy_cache_valid 200 10s;");
  ~nginx_proxy();
  nginx_proxy(const nginx_proxy&) = delete;

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

 private:
  int port_;
  int pid_ = -1;
  std::string dir_;
};

/// True when an nginx binary is installed (the tests say so and fail when it is not).
bool nginx_available();

}  // namespace guichet::test
