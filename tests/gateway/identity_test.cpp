// The real guichet binary with the organiser's identity provider as a JWKS file: RS256/ES256
// tokens by kid, issuer and audience checked, the file reloaded when it changes and on SIGHUP,
// a broken file refused while the keys in force stay.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "core/clock.hpp"
#include "core/jwt.hpp"
#include "gateway/server/worker.hpp"
#include "tests/support/guichet_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/json_field.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;
using test::json_field;

const std::string kIssuer = "https://login.example.org";

class identity_provider : public ::testing::Test {
 protected:
  identity_provider() {
    base_ = ::testing::TempDir() + "/identity-" + std::to_string(::getpid());
    jwks_path_ = base_ + "-jwks.json";
    publish({a_jwk_});
  }
  /// Writes the JWKS the way a deploy does: a new file renamed over the old one.
  void publish(std::initializer_list<std::string> jwks) {
    std::string body = R"({"keys":[)";
    for (auto& k : jwks) body += (body.back() == '[' ? "" : ",") + k;
    write_file(body + "]}");
  }
  void write_file(const std::string& text) {
    std::ofstream(jwks_path_ + ".new") << text;
    std::rename((jwks_path_ + ".new").c_str(), jwks_path_.c_str());
  }
  std::string config_text(const std::string& watch = "1s") {
    std::int64_t now = system_ms();
    std::time_t start = static_cast<std::time_t>(now / 1000 - 60);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&start));
    return "[server]\nport = " + std::to_string(port_) + "\nthreads = 2\n[redis]\nport = " +
           std::to_string(redis_.port()) + "\n[log]\nlevel = \"warn\"\n[identity]\njwks = { file = \"" + jwks_path_ +
           "\" }\nwatch = \"" + watch + "\"\nissuer = \"" + kIssuer + "\"\naudience = \"guichet\"\nclock_skew = \"5s\"\n" +
           "[[tokens.keys]]\nid = \"k1\"\nenv = \"GUICHET_TOKEN_KEY\"\n[editions.ed.phases.open]\n" +
           "slots = [ { id = \"all\", start = " + ts + ", duration = \"2h\" } ]\n";
  }
  void launch(const std::string& watch = "1s") {
    port_ = test::free_port();
    config_path_ = base_ + ".toml";
    std::ofstream(config_path_) << config_text(watch);
    gateway_.start(GUICHET_BINARY, config_path_, {{"GUICHET_TOKEN_KEY", "identity-test-token-key-0123456"}});
    ASSERT_TRUE(gateway_.ready(port_)) << "the gateway did not become ready";
  }
  std::string token(jws_alg alg, EVP_PKEY* key, const std::string& kid, const std::string& iss = kIssuer) {
    return sign_jwt(alg, key, kid,
                    R"({"sub":"fan-)" + std::to_string(++fans_) + R"(","exp":)" +
                        std::to_string(system_ms() / 1000 + 600) + R"(,"iss":")" + iss + R"(","aud":"guichet"})");
  }
  /// The join's status and error code for a token.
  std::string join(const std::string& jwt) {
    test::http_client c(port_);
    auto r = c.request("POST", "/rooms/ed/open/join", {}, "Authorization: Bearer " + jwt + "\r\n");
    if (!r) return "no answer";
    return std::to_string(r->status) + (r->status == 200 ? "" : " " + json_field(r->body, "code"));
  }
  bool eventually(const std::function<bool()>& f, std::chrono::milliseconds limit = 5s) {
    for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
      if (f()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return f();
  }
  std::string metric(const std::string& name) {
    test::http_client c(port_);
    auto r = c.request("GET", "/metrics");
    if (!r) return {};
    auto at = r->body.find("\n" + name + " ");
    if (at == std::string::npos) return {};
    auto from = at + name.size() + 2;
    return r->body.substr(from, r->body.find('\n', from) - from);
  }

  pkey_ptr a_ = jws_generate_key(jws_alg::es256);
  pkey_ptr b_ = jws_generate_key(jws_alg::rs256);
  std::string a_jwk_ = jws_public_jwk(a_.get(), jws_alg::es256, "idp-a");
  std::string b_jwk_ = jws_public_jwk(b_.get(), jws_alg::rs256, "idp-b");
  test::redis_server redis_;
  std::string base_, jwks_path_, config_path_;
  test::guichet_process gateway_;
  int port_ = 0, fans_ = 0;
};

TEST_F(identity_provider, tokens_by_kid_with_issuer_and_audience) {
  launch();
  EXPECT_EQ(join(token(jws_alg::es256, a_.get(), "idp-a")), "200");
  EXPECT_EQ(join(token(jws_alg::rs256, b_.get(), "idp-b")), "401 token_unknown_key");
  EXPECT_EQ(join(token(jws_alg::es256, a_.get(), "idp-a", "https://evil.example")), "401 token_issuer");
  EXPECT_EQ(join(sign_jwt(a_jwk_, R"({"sub":"x","exp":9999999999})", R"({"alg":"HS256","kid":"idp-a"})")),
            "401 token_alg");
  EXPECT_EQ(metric("guichet_identity_jwks_keys"), "1");
}

TEST_F(identity_provider, a_key_rotation_is_picked_up_without_a_restart) {
  launch();
  // The provider publishes its next key: picked up when the file changes (checked every second).
  publish({a_jwk_, b_jwk_});
  EXPECT_TRUE(eventually([&] { return join(token(jws_alg::rs256, b_.get(), "idp-b")) == "200"; }));
  EXPECT_EQ(join(token(jws_alg::es256, a_.get(), "idp-a")), "200") << "both keys during the rotation";
  // A broken file is refused: the keys in force stay.
  write_file(R"({"keys":[{"kty":"EC","kid":"idp-c","crv":"P-256","x":"AAAA","y":"AAAA"}]})");
  EXPECT_TRUE(eventually([&] { return metric("guichet_identity_jwks_reload_failures_total") == "1"; }));
  EXPECT_EQ(join(token(jws_alg::es256, a_.get(), "idp-a")), "200");
  EXPECT_EQ(join(token(jws_alg::rs256, b_.get(), "idp-b")), "200");
  // The old key retired.
  publish({b_jwk_});
  EXPECT_TRUE(eventually([&] { return join(token(jws_alg::es256, a_.get(), "idp-a")) == "401 token_unknown_key"; }));
  EXPECT_EQ(join(token(jws_alg::rs256, b_.get(), "idp-b")), "200");
  EXPECT_EQ(metric("guichet_identity_jwks_keys"), "1");
}

TEST_F(identity_provider, with_the_watch_off_sighup_reloads_the_keys) {
  launch("0s");
  publish({b_jwk_});
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(join(token(jws_alg::rs256, b_.get(), "idp-b")), "401 token_unknown_key") << "no watch: not reloaded yet";
  gateway_.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return join(token(jws_alg::rs256, b_.get(), "idp-b")) == "200"; }));
  EXPECT_EQ(join(token(jws_alg::es256, a_.get(), "idp-a")), "401 token_unknown_key");
  EXPECT_EQ(metric("guichet_identity_jwks_reloads_total"), "1");
}

TEST_F(identity_provider, check_config_refuses_a_jwks_it_could_not_use) {
  port_ = test::free_port();
  config_path_ = base_ + "-check.toml";
  std::ofstream(config_path_) << config_text();
  write_file(R"({"keys":[]})");
  int rc = -1;
  auto out = test::run_command("env GUICHET_TOKEN_KEY=identity-test-token-key-0123456 " + std::string(GUICHET_BINARY) +
                                   " --config " + config_path_ + " --check-config",
                               rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("identity.jwks: " + jwks_path_ + ": no RS256 or ES256 signing key"), std::string::npos) << out;
  publish({a_jwk_});
  out = test::run_command("env GUICHET_TOKEN_KEY=identity-test-token-key-0123456 " + std::string(GUICHET_BINARY) +
                              " --config " + config_path_ + " --check-config",
                          rc);
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace guichet
