#include "gateway/base/process_setup.hpp"

#include <sys/resource.h>

#include <csignal>

namespace guichet::base {

void prepare_process() {
  std::signal(SIGPIPE, SIG_IGN);
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

}  // namespace guichet::base
