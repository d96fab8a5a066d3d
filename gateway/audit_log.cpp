#include "gateway/audit_log.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/keys.hpp"
#include "gateway/log.hpp"
#include "gateway/sync_redis.hpp"

namespace guichet {

audit_log::audit_log(const audit_config& cfg) : path_(cfg.file) {
  if (path_.empty()) return;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) throw std::runtime_error("audit.file: cannot open " + path_ + ": " + std::strerror(errno));
}

audit_log::~audit_log() {
  if (fd_ >= 0) ::close(fd_);
}

bool audit_log::append(const audit_entry& e) {
  if (fd_ < 0) return true;
  std::string line = e.json() + "\n";
  std::lock_guard lock(m_);
  if (::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size())) return true;
  log::error("audit file write failed", {{"file", path_}, {"error", std::strerror(errno)}});
  return false;
}

std::string record_command(const config& cfg, sync_redis& redis, audit_entry e) {
  e.ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  const passwd* pw = ::getpwuid(::geteuid());
  const char* sudo = std::getenv("SUDO_USER");  // the person behind sudo, when there is one
  e.who = std::string("cli:") + (sudo && *sudo ? sudo : pw ? pw->pw_name : std::to_string(::geteuid()).c_str());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  e.from = host;
  auto r = redis.command({"XADD", keys::audit(e.edition), "MAXLEN", std::to_string(cfg.audit.stream_max), "*", "ts",
                          std::to_string(e.ts_ms), "who", e.who, "what", e.what, "edition", e.edition, "phase", e.phase,
                          "before", e.before, "after", e.after, "from", e.from});
  std::string problem;
  if (!r || r->type == REDIS_REPLY_ERROR) problem = "audit stream not written: " + std::string(r ? r->str : "no answer");
  try {
    audit_log file(cfg.audit);
    if (!file.append(e)) problem += (problem.empty() ? "" : "; ") + std::string("audit file not written");
  } catch (const std::exception& ex) {
    problem += (problem.empty() ? "" : "; ") + std::string(ex.what());
  }
  return problem;
}

}  // namespace guichet
