#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace guichet::test {

/// Runs a shell command; returns its stdout+stderr and sets its exit code.
inline std::string run_command(const std::string& cmd, int& rc) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) {
    rc = -1;
    return out;
  }
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  rc = WEXITSTATUS(::pclose(p));
  return out;
}

}  // namespace guichet::test
