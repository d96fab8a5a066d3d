#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace guichet::test {

int free_port() {
  // The kernel may hand out a port again as soon as it is closed: a topology picks its ports
  // before it starts anything, so a port given once is never given again by this process.
  static std::mutex m;
  static std::set<int> given;
  std::lock_guard lock(m);
  for (;;) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    if (given.insert(ntohs(a.sin_port)).second) return ntohs(a.sin_port);
  }
}

redis_server::redis_server(bool aof) : redis_server(redis_options{.aof = aof}) {}

redis_server::redis_server(redis_options o) : port_(free_port()), o_(std::move(o)) {
  char tmpl[] = "/tmp/guichet-redis-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  // Another test may have taken the port since it was free: a server that exits at once (it
  // could not bind) is started again on another one.
  for (int attempt = 0; !launch(); ++attempt) {
    if (attempt == 3) throw std::runtime_error("redis-server could not bind a port (see " + dir_ + "/redis.log)");
    port_ = free_port();
  }
}

redis_server::~redis_server() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void redis_server::start() {
  if (!launch()) throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
}

bool redis_server::launch() {
  if (pid_ > 0) return true;
  pid_ = ::fork();
  if (pid_ == 0) {
    std::string port = std::to_string(port_);
    std::vector<std::string> args{"redis-server", "--port", o_.tls ? "0" : port, "--bind", "127.0.0.1", "--dir", dir_,
                                  "--save", "", "--appendonly", o_.aof ? "yes" : "no", "--appendfsync", "always",
                                  "--loglevel", "warning", "--logfile", dir_ + "/redis.log"};
    if (o_.tls) args.insert(args.end(), {"--tls-port", port});
    args.insert(args.end(), o_.args.begin(), o_.args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (cli({"PING"}) == "PONG") return true;
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // it exited: the port was taken
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();  // nothing may outlive the test: a child left running holds ctest's output pipe
  throw std::runtime_error("redis-server did not answer on port " + std::to_string(port_));
}

void redis_server::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string redis_server::cli(const std::vector<std::string>& args) const {
  std::string cmd = "redis-cli --no-auth-warning -p " + std::to_string(port_);
  for (auto& a : o_.cli_args) cmd += " '" + a + "'";
  for (auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf;
    while (auto n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace guichet::test
