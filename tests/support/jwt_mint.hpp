#pragma once
#include <string>

#include "core/jwt.hpp"

namespace guichet::test {

/// The claims of a fan's identity token, as the organiser's login would issue them.
inline std::string claims(const std::string& sub, long long exp_s, const std::string& extra = {}) {
  return "{\"sub\":\"" + sub + "\",\"exp\":" + std::to_string(exp_s) + extra + "}";
}

}  // namespace guichet::test
