#pragma once
#include <string>

namespace guichet {

/// Where a secret lives. Secrets are never written inline in config: only the name of an
/// environment variable or the path of a file (first line, trailing newline stripped).
struct secret_ref {
  std::string env;
  std::string file;
  bool empty() const { return env.empty() && file.empty(); }
};

/// Reads the secret. Throws std::runtime_error naming the variable or file (never the value).
std::string load_secret(const secret_ref& ref);

}  // namespace guichet
