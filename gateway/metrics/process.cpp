#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "gateway/base/heap_count.hpp"
#include "gateway/base/version.hpp"
#include "gateway/metrics/prometheus.hpp"

namespace guichet::metrics {

void render_process_metrics(std::string& out) {
  // /proc/self/stat: utime and stime (fields 14, 15) in clock ticks, starttime (22) in ticks
  // since boot, rss (24) in pages.
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  std::istringstream rest(close == std::string::npos ? std::string() : line.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; rest >> x;) f.push_back(x);  // f[0] is field 3 (state)
  auto field = [&](std::size_t n) { return n - 3 < f.size() ? std::strtod(f[n - 3].c_str(), nullptr) : 0.0; };
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK)), page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  double boot = 0;
  std::ifstream st("/proc/stat");
  for (std::string l; std::getline(st, l);)
    if (l.rfind("btime ", 0) == 0) boot = std::strtod(l.c_str() + 6, nullptr);
  std::uint64_t fds = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++fds;
    ::closedir(d);
    if (fds) --fds;  // the directory stream's own descriptor
  }
  char buf[64];
  metric_head(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  std::snprintf(buf, sizeof buf, "%.2f", (field(14) + field(15)) / hz);
  out += std::string("process_cpu_seconds_total ") + buf + "\n";
  metric_head(out, "process_resident_memory_bytes", "gauge", "Resident memory size, in bytes.");
  metric_sample(out, "process_resident_memory_bytes", "", static_cast<std::uint64_t>(field(24) * page));
  metric_head(out, "process_open_fds", "gauge", "Open file descriptors (client connections, Redis, listeners, files).");
  metric_sample(out, "process_open_fds", "", fds);
  metric_head(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
  metric_sample(out, "process_start_time_seconds", "", static_cast<std::uint64_t>(boot + field(22) / hz));
  if (auto n = base::heap_count::total()) {
    metric_head(out, "guichet_heap_allocations_total", "counter",
         "C++ heap allocations (operator new) since start, all threads; per request on a poll path: none.");
    metric_sample(out, "guichet_heap_allocations_total", "", *n);
  }
  metric_head(out, "guichet_build_info", "gauge", "The running build: 1, labelled with its version.");
  metric_sample(out, "guichet_build_info", "version=\"" GUICHET_VERSION "\"", 1);
}

}  // namespace guichet::metrics
