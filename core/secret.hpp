#pragma once
#include <string>

namespace guichet {

/// Where a secret lives. Secrets are never written inline in config: only the name of an
/// environment variable, the path of a file (trailing newlines stripped), or the name of a systemd
/// credential (the file of that name in $CREDENTIALS_DIRECTORY, which `LoadCredential=` fills).
struct secret_ref {
  std::string env;
  std::string file;
  std::string credential;
  bool empty() const { return env.empty() && file.empty() && credential.empty(); }
  /// How many of env, file, credential are set (a valid reference has exactly one).
  int sources() const { return !env.empty() + !file.empty() + !credential.empty(); }
  /// A credential's name is a plain file name in $CREDENTIALS_DIRECTORY: no '/', not "." or "..".
  static bool plain_name(const std::string& name) {
    return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
  }
  /// What the secret is called in messages: the variable's name, the path, or "credential NAME"
  /// (never the value).
  std::string where() const;
};

/// Reads the secret. Throws std::runtime_error naming the variable or file (never the value).
std::string load_secret(const secret_ref& ref);

}  // namespace guichet
