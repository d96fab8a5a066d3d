#include "gateway/commands/record_command.hpp"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "core/keys.hpp"
#include "gateway/base/audit_log.hpp"

namespace guichet::commands {

std::string record_command(const config& cfg, redis::blocking_client& redis, audit_entry e) {
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
    base::audit_log file(cfg.audit);
    if (!file.append(e)) problem += (problem.empty() ? "" : "; ") + std::string("audit file not written");
  } catch (const std::exception& ex) {
    problem += (problem.empty() ? "" : "; ") + std::string(ex.what());
  }
  return problem;
}

}  // namespace guichet::commands
