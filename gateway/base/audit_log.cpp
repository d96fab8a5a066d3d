#include "gateway/base/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gateway/base/log.hpp"

namespace guichet::base {

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

}  // namespace guichet::base
