#include "core/secret.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace guichet {

std::string load_secret(const secret_ref& ref) {
  std::string value;
  if (!ref.env.empty()) {
    const char* v = std::getenv(ref.env.c_str());
    if (v == nullptr) throw std::runtime_error("environment variable " + ref.env + " is not set");
    value = v;
  } else if (!ref.file.empty()) {
    std::ifstream in(ref.file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read secret file " + ref.file);
    std::ostringstream ss;
    ss << in.rdbuf();
    value = ss.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  } else {
    throw std::runtime_error("secret has neither env nor file");
  }
  if (value.size() < 16) throw std::runtime_error("secret from " + (ref.env.empty() ? ref.file : ref.env) +
                                                  " is shorter than 16 bytes");
  return value;
}

}  // namespace guichet
