#pragma once
#include <mutex>
#include <string>

#include "core/audit.hpp"
#include "core/config.hpp"

namespace guichet::base {

/// The audit trail's file side: JSON lines appended (O_APPEND, one write per entry, so lines from
/// several processes never interleave), shared by the workers. Without [audit] file it does
/// nothing; the Redis stream is written by whoever made the change (the admin script, or
/// commands/record_command.hpp).
class audit_log {
 public:
  explicit audit_log(const audit_config& cfg);
  ~audit_log();
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;
  /// Appends the entry's JSON line; false (and an error logged) when the file cannot be written.
  bool append(const audit_entry& e);

 private:
  std::mutex m_;
  int fd_ = -1;
  std::string path_;
};

}  // namespace guichet::base
