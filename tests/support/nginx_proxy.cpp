#include "tests/support/nginx_proxy.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"

namespace guichet::test {

namespace {
const char* nginx_binary() { return ::access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "nginx"; }
}  // namespace

bool nginx_available() { return ::access("/usr/sbin/nginx", X_OK) == 0; }

nginx_proxy::nginx_proxy(int origin_port, const std::string& cache_rules) : port_(free_port()) {
  char tmpl[] = "/tmp/guichet-nginx-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  std::ofstream conf(dir_ + "/nginx.conf");
  conf << "worker_processes 1;\n"
       << (::geteuid() == 0 ? "user root;\n" : "") << "pid " << dir_ << "/nginx.pid;\n"
       << "error_log " << dir_ << "/error.log warn;\n"
       << "events { worker_connections 1024; }\n"
       << "http {\n"
       << "  access_log off;\n"
       << "  client_body_temp_path " << dir_ << "/body;\n"
       << "  proxy_temp_path " << dir_ << "/proxy;\n"
       << "  fastcgi_temp_path " << dir_ << "/fastcgi;\n"
       << "  uwsgi_temp_path " << dir_ << "/uwsgi;\n"
       << "  scgi_temp_path " << dir_ << "/scgi;\n"
       << "  proxy_cache_path " << dir_ << "/cache keys_zone=cdn:1m levels=1:2 inactive=60s;\n"
       << "  upstream origin { server 127.0.0.1:" << origin_port << "; keepalive 8; }\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port_ << ";\n"
       << "    location / {\n"
       << "      proxy_pass http://origin;\n"
       << "      proxy_http_version 1.1;\n"
       << "      proxy_set_header Connection \"\";\n"
       << "      proxy_cache cdn;\n"
       << "      add_header X-Cache-Status $upstream_cache_status always;\n"
       << "      " << cache_rules << "\n"
       << "    }\n"
       << "  }\n"
       << "}\n";
  conf.close();
  pid_ = ::fork();
  if (pid_ == 0) {
    std::string c = dir_ + "/nginx.conf";
    ::execlp(nginx_binary(), "nginx", "-p", dir_.c_str(), "-c", c.c_str(), "-g", "daemon off;",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    http_client probe(port_, std::chrono::milliseconds(200));
    if (probe.connected()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGTERM);  // nothing may outlive the test: a child left running holds ctest's output pipe
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  throw std::runtime_error("nginx did not start (see " + dir_ + "/error.log)");
}

nginx_proxy::~nginx_proxy() {
  if (pid_ > 0) {
    ::kill(pid_, SIGQUIT);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace guichet::test
