#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/redis/blocking_client.hpp"

namespace guichet::loadtest {

/// What Redis spent on a stretch of a run: its CPU (INFO cpu: used_cpu_user + used_cpu_sys) and
/// its script calls one by one (SLOWLOG with a 0 µs threshold for the stretch: each entry is
/// one command and the microseconds Redis spent on it), named from the embedded scripts' SHA-1s.
struct redis_cost {
  struct script_calls {
    std::string name;  ///< the script ("hold"), "hold (3 sessions)" for a hold over 3 sessions
    std::uint64_t calls = 0, usec = 0;
    std::uint64_t inner = 0;  ///< the commands a script ran (redis.call), all its calls together
    double usec_per_call() const { return calls ? static_cast<double>(usec) / static_cast<double>(calls) : 0; }
  };
  bool measured = false;  ///< INFO cpu was read at both ends
  bool per_script = false;  ///< the log was on: `scripts` is filled
  std::string why_not;    ///< when it was not (or, measured, why there are no per-script rows)
  double cpu_seconds = 0;   ///< Redis' CPU over the stretch, less the harness's own SLOWLOG reads
  double seconds = 0;       ///< the stretch's wall time
  std::uint64_t commands = 0;  ///< commands the clients sent over the stretch (scripts' own not counted)
  std::uint64_t lost = 0;      ///< entries the log dropped before they were read (0: complete)
  /// Read and write events Redis handled over the stretch (INFO stats total_reads_processed,
  /// total_writes_processed): one per wake-up per connection with something to read or to send,
  /// however many commands it carries. Calls per read above 1 is pipelining at work.
  std::uint64_t reads = 0, writes = 0;
  std::vector<script_calls> scripts;  ///< by calls, most first; then plain commands, "HMGET (command)"
};

/// Measures a stretch: start() before, finish() after. The SLOWLOG settings are put back as
/// they were. A thread reads the log every 100 ms on a connection of its own.
class redis_cost_meter {
 public:
  /// `per_script` false: Redis' CPU only, SLOWLOG left alone.
  redis_cost_meter(const redis_config& cfg, bool per_script);
  ~redis_cost_meter();
  redis_cost_meter(const redis_cost_meter&) = delete;
  void start();
  redis_cost finish();

 private:
  void drain(redis::blocking_client& c);
  double cpu(redis::blocking_client& c, std::string& err);
  static std::pair<std::uint64_t, std::uint64_t> io_events(redis::blocking_client& c);
  double slowlog_get_usec(redis::blocking_client& c);

  redis_config cfg_;
  bool per_script_;
  redis::blocking_client control_;
  std::string threshold_, max_len_;  // as they were
  std::string run_id_;               // the primary's, at the start
  std::string refused_;              // why the log could not be turned on
  bool finished_ = false;
  double cpu0_ = -1, get_usec0_ = 0;
  std::pair<std::uint64_t, std::uint64_t> io0_;
  std::uint64_t started_ms_ = 0;
  std::int64_t last_id_ = -1;
  std::uint64_t lost_ = 0, entries_ = 0, inner_pending_ = 0;
  std::map<std::string, redis_cost::script_calls> calls_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

}  // namespace guichet::loadtest
