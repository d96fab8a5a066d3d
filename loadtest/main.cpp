// guichet-loadtest: parses the command line and runs it; everything else is in the library.
#include <sys/resource.h>

#include <csignal>
#include <iostream>

#include "loadtest/driver.hpp"

int main(int argc, char** argv) {
  using namespace guichet::loadtest;
  auto parsed = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  if (parsed.help) {
    std::cout << usage_text();
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "guichet-loadtest: " << parsed.error << "\n\n" << usage_text();
    return 2;
  }
  rlimit r{};  // many connections
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
  std::signal(SIGPIPE, SIG_IGN);  // the audit's hiredis writes without MSG_NOSIGNAL (Redis killed in demo-ha)
  return run_command(parsed.value, std::cout, std::cerr);
}
