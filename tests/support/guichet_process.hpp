#pragma once
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/http_client.hpp"

namespace guichet::test {

/// The real guichet binary with a config file and extra environment (its secrets), stopped with
/// SIGTERM when destroyed. ready() waits for /readyz 200 on its port.
class guichet_process {
 public:
  guichet_process() = default;
  guichet_process(const guichet_process&) = delete;
  ~guichet_process() { stop(); }

  void start(const std::string& binary, const std::string& config,
             const std::vector<std::pair<std::string, std::string>>& env) {
    pid_ = ::fork();
    if (pid_ == 0) {
      for (auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      ::execl(binary.c_str(), binary.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  bool ready(int port, std::chrono::milliseconds limit = std::chrono::seconds(6)) const {
    for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
      http_client c(port);
      auto r = c.request("GET", "/readyz");
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  int pid() const { return pid_; }
  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  void stop() {
    if (pid_ > 0) ::kill(pid_, SIGTERM), ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  int pid_ = -1;
};

}  // namespace guichet::test
