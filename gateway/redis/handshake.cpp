#include "gateway/redis/handshake.hpp"

namespace guichet::redis {

handshake::handshake(std::string_view user, std::string_view password, bool fence) {
  if (!password.empty()) {
    step auth{step::kind::auth, {"AUTH"}};
    if (!user.empty()) auth.args.emplace_back(user);
    auth.args.emplace_back(password);
    steps.push_back(std::move(auth));
  }
  if (fence) steps.push_back({step::kind::role, {"ROLE"}});
}

std::string handshake::refused(const step& s, const redis_result& r) {
  // An error reply (NOAUTH, WRONGPASS) says more than the error code.
  auto said = [&] { return r.ec && r.ec != redis_errc::reply_error ? r.ec.message() : r.reply.str; };
  if (s.what == step::kind::auth) return r.ec ? "AUTH refused (" + said() + ")" : std::string();
  if (!r.ec && !r.reply.elements.empty() && r.reply.elements[0].str == "master") return {};
  return "not a primary (ROLE: " + (r.ec || r.reply.elements.empty() ? said() : r.reply.elements[0].str) + ")";
}

}  // namespace guichet::redis
