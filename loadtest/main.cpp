// guichet-loadtest: parses the command line and runs it; everything else is in the library.
#include <iostream>

#include "gateway/base/process_setup.hpp"
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
  guichet::base::prepare_process();  // many connections; the audit's hiredis writes (Redis killed in demo-ha)
  return run_command(parsed.value, std::cout, std::cerr);
}
