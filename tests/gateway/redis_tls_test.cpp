// TLS to Redis: Debian's hiredis 0.14 has no TLS, so guichet ships the standard sidecar, stunnel
// (Debian stunnel4), in client mode on loopback. This test makes a CA and certificates with the
// openssl command, starts a real redis-server that only speaks TLS, wants client certificates
// and has an ACL user (the default user off; AUTH goes through the tunnel),
// starts stunnel with the shipped template's settings, and shows the gateway's connections and
// the ops commands' connection working through it, and not without it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "gateway/redis/connection.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "tests/support/redis_probe.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "guichet-tls-redis-password-0123456789";

// A CA, a server certificate for 127.0.0.1 and a client certificate, all made here.
std::string make_certificates() {
  std::string dir = ::testing::TempDir() + "/redis-tls-" + std::to_string(::getpid());
  std::string script = "set -e; mkdir -p " + dir + "; cd " + dir + R"(
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=guichet-test-ca \
      -keyout ca.key -out ca.pem
    for who in server client; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$who -keyout $who.key -out $who.csr
      printf 'subjectAltName=IP:127.0.0.1\n' > $who.ext
      openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile $who.ext -out $who.pem
    done)";
  std::ofstream(dir + ".sh") << script << "\n";
  int rc = -1;
  auto out = test::run_command("bash " + dir + ".sh", rc);
  EXPECT_EQ(rc, 0) << out;
  return dir;
}

class redis_tls : public ::testing::Test {
 protected:
  redis_tls()
      : certs_(make_certificates()),
        redis_({.args = {"--tls-cert-file", certs_ + "/server.pem", "--tls-key-file", certs_ + "/server.key",
                         "--tls-ca-cert-file", certs_ + "/ca.pem", "--tls-auth-clients", "yes",
                         // and production's ACL: no default user, guichet's own
                         "--user", "default", "off", "--user", "guichet", "on", std::string(">") + kPassword, "~*", "&*",
                         "+@all", "-@dangerous", "+role", "+info"},
                .cli_args = {"--tls", "--cacert", certs_ + "/ca.pem", "--cert", certs_ + "/client.pem", "--key",
                             certs_ + "/client.key", "--user", "guichet", "--pass", kPassword},
                .tls = true}) {
    ::setenv("GUICHET_TEST_TLS_REDIS_PASSWORD", kPassword, 1);
  }
  ~redis_tls() override {
    if (stunnel_ > 0) ::kill(stunnel_, SIGTERM), ::waitpid(stunnel_, nullptr, 0);
    std::error_code ec;
    std::filesystem::remove_all(certs_, ec);
    std::filesystem::remove(certs_ + ".sh", ec);
  }

  /// stunnel in client mode, as deploy/stunnel/guichet-redis.conf sets it up: it checks the
  /// server's certificate against the CA and the address, and presents the client certificate.
  void start_stunnel(const std::string& ca) {
    local_ = test::free_port();
    std::string conf = certs_ + "/stunnel.conf";
    std::ofstream(conf) << "foreground = yes\npid =\noutput = " << certs_ << "/stunnel.log\n"
                        << "[redis]\nclient = yes\naccept = 127.0.0.1:" << local_ << "\nconnect = 127.0.0.1:"
                        << redis_.port() << "\nCAfile = " << ca << "\nverifyChain = yes\ncheckIP = 127.0.0.1\n"
                        << "cert = " << certs_ << "/client.pem\nkey = " << certs_ << "/client.key\n";
    stunnel_ = ::fork();
    if (stunnel_ == 0) {
      ::execlp("stunnel4", "stunnel4", conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {  // listening once a plain TCP connect succeeds
      int rc = -1;
      test::run_command("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(local_) + "'", rc);
      if (rc == 0) return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "stunnel did not start";
  }

  redis_config through(int port) {
    redis_config c;
    c.port = static_cast<std::uint16_t>(port);
    c.user = "guichet";
    c.password.env = "GUICHET_TEST_TLS_REDIS_PASSWORD";
    c.reconnect_min = 20ms;
    c.reconnect_max = 100ms;
    c.command_timeout = 500ms;
    return c;
  }

  std::optional<std::string> set_through(const redis_config& c, std::chrono::milliseconds limit) {
    return test::set_through(c, "tls-test", "over-tls", limit);
  }

  std::string certs_;
  test::redis_server redis_;
  int stunnel_ = -1;
  int local_ = 0;
};

TEST_F(redis_tls, the_server_speaks_only_tls_with_client_certificates) {
  EXPECT_EQ(redis_.cli({"PING"}), "PONG") << "redis-cli with the client certificate";
  int rc = -1;
  auto out = test::run_command("redis-cli -p " + std::to_string(redis_.port()) + " PING", rc);
  EXPECT_EQ(out.find("PONG"), std::string::npos) << "plain text answered: " << out;
  EXPECT_FALSE(set_through(through(redis_.port()), 1000ms)) << "the gateway straight to the TLS port";
}

TEST_F(redis_tls, gateway_and_ops_connections_work_through_the_sidecar) {
  start_stunnel(certs_ + "/ca.pem");
  auto r = set_through(through(local_), 5s);
  ASSERT_TRUE(r) << "never ready through stunnel";
  EXPECT_EQ(*r, "OK");
  EXPECT_EQ(redis_.cli({"GET", "tls-test"}), "over-tls");
  redis::blocking_client ops(through(local_));
  ASSERT_TRUE(ops.ok()) << ops.error();
  auto got = ops.command({"GET", "tls-test"});
  ASSERT_TRUE(got && got->type == REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(got->str, got->len), "over-tls");
}

TEST_F(redis_tls, a_server_certificate_from_another_ca_is_refused) {
  // The sidecar trusts only a CA that did not sign this server: no connection is ever usable.
  std::string other = certs_ + "/other-ca.pem";
  int rc = -1;
  auto out = test::run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                               "-subj /CN=other-ca -keyout " + certs_ + "/other-ca.key -out " + other,
                               rc);
  ASSERT_EQ(rc, 0) << out;
  start_stunnel(other);
  EXPECT_FALSE(set_through(through(local_), 1500ms));
  std::ifstream log(certs_ + "/stunnel.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("certificate verify failed"), std::string::npos) << "refused for another reason: " << text;
}

}  // namespace
}  // namespace guichet
