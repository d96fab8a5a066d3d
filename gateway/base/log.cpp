#include "gateway/base/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

#include "core/json_escape.hpp"

namespace guichet::log {
namespace {
std::atomic<int> g_level{static_cast<int>(log_level::info)};
}

void set_level(log_level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
bool enabled(log_level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void write(log_level level, std::string_view msg,
           std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  if (!enabled(level)) return;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  std::string line;
  line.reserve(128);
  line += "{\"ts\":";
  line += std::to_string(now / 1000) + "." + std::to_string(1000 + now % 1000).substr(1);
  line += ",\"level\":\"";
  line += to_string(level);
  line += "\",\"msg\":\"";
  append_json_escaped(line, msg);
  line += '"';
  for (auto& [k, v] : fields) {
    line += ",\"";
    append_json_escaped(line, k);
    line += "\":\"";
    append_json_escaped(line, v);
    line += '"';
  }
  line += "}\n";
  [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}

}  // namespace guichet::log
