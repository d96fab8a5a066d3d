#include "core/secret.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace guichet {

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + what + " " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

}  // namespace

std::string secret_ref::where() const {
  if (!env.empty()) return env;
  if (!file.empty()) return file;
  return "credential " + credential;
}

std::string load_secret(const secret_ref& ref) {
  std::string value;
  if (!ref.credential.empty()) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0')
      throw std::runtime_error("credential " + ref.credential +
                               ": CREDENTIALS_DIRECTORY is not set (systemd sets it for a unit with LoadCredential=" +
                               ref.credential + ":...)");
    if (!secret_ref::plain_name(ref.credential))
      throw std::runtime_error("credential " + ref.credential + ": a credential name has no '/'");
    value = read_file(std::string(dir) + "/" + ref.credential, "credential file");
  } else if (!ref.env.empty()) {
    const char* v = std::getenv(ref.env.c_str());
    if (v == nullptr) throw std::runtime_error("environment variable " + ref.env + " is not set");
    value = v;
  } else if (!ref.file.empty()) {
    value = read_file(ref.file, "secret file");
  } else {
    throw std::runtime_error("secret has neither env, file nor credential");
  }
  if (value.size() < 16) throw std::runtime_error("secret from " + ref.where() + " is shorter than 16 bytes");
  return value;
}

}  // namespace guichet
