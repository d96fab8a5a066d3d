// The real guichet binary as ops run it: --check-config, SIGHUP reload, SIGTERM drain.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

using test::run_command;

std::string write_config(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

const std::string kShippedEnv =
    "GUICHET_ADMIN_KEY=admin-0123456789abcdef GUICHET_JWT_KEY=jwt-0123456789abcdef "
    "GUICHET_PAYMENT_KEY=pay-0123456789abcdef GUICHET_TOKEN_KEY=token-0123456789abcdef ";

TEST(process, check_config_accepts_the_shipped_config) {
  int rc = -1;
  auto out = run_command("cd " GUICHET_SOURCE_DIR " && env " + kShippedEnv + GUICHET_BINARY " --config " GUICHET_SOURCE_DIR "/config/dev.toml --check-config", rc);
  EXPECT_EQ(rc, 0) << out;
}

// A config the gateway could not start with is refused by the check: an unset variable, an
// unreadable file, a short secret; each named, the value never shown.
TEST(process, check_config_refuses_secrets_the_gateway_could_not_load) {
  int rc = -1;
  auto out = run_command("env -u GUICHET_JWT_KEY " + kShippedEnv + "GUICHET_JWT_KEY= GUICHET_PAYMENT_KEY=short-secret " +
                             GUICHET_BINARY " --config " GUICHET_SOURCE_DIR "/config/dev.toml --check-config",
                         rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("secrets.jwt_key"), std::string::npos) << out;
  EXPECT_NE(out.find("secrets.payment_key: secret from GUICHET_PAYMENT_KEY is shorter than 16 bytes"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("short-secret"), std::string::npos) << "the check printed a secret's value: " << out;
  EXPECT_EQ(out.find(": ok"), std::string::npos) << out;

  auto path = write_config("secret-file.toml", "[secrets]\nadmin_key = { file = \"/nonexistent/admin.key\" }\n");
  out = run_command(std::string(GUICHET_BINARY) + " --config " + path + " --check-config", rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("secrets.admin_key: cannot read secret file /nonexistent/admin.key"), std::string::npos) << out;

  unsetenv("GUICHET_NOT_SET_ANYWHERE");
  path = write_config("unset.toml", "[secrets]\nadmin_key = { env = \"GUICHET_NOT_SET_ANYWHERE\" }\n");
  out = run_command(std::string(GUICHET_BINARY) + " --config " + path + " --check-config", rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("secrets.admin_key: environment variable GUICHET_NOT_SET_ANYWHERE is not set"), std::string::npos)
      << out;
}

// redis.host is an IP address: a name would need a blocking lookup on a worker; refused by the check.
TEST(process, check_config_refuses_a_redis_host_name) {
  auto path = write_config("host.toml", "[redis]\nhost = \"redis.internal\"\nsentinels = [\"sentinel-1:26379\"]\n");
  int rc = -1;
  auto out = run_command(std::string(GUICHET_BINARY) + " --config " + path + " --check-config", rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("host.toml:2:"), std::string::npos) << out;
  EXPECT_NE(out.find("must be an IP address"), std::string::npos) << out;
  EXPECT_NE(out.find("host.toml:3:"), std::string::npos) << out;
}

TEST(process, check_config_lists_every_error_and_fails) {
  auto path = write_config("bad.toml", "[server]\nport = 99999\nbogus = 1\n[redis]\ncommand_timeout = \"soon\"\n");
  int rc = -1;
  auto out = run_command(std::string(GUICHET_BINARY) + " --config " + path + " --check-config", rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("bad.toml:2:"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.toml:3:"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.toml:5:"), std::string::npos) << out;
}

TEST(process, help_and_version_print_to_stdout_and_succeed) {
  int rc = -1;
  auto out = run_command(std::string(GUICHET_BINARY) + " --help 2>/dev/null", rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("usage: guichet --config FILE"), std::string::npos) << out;
  out = run_command(std::string(GUICHET_BINARY) + " --version 2>/dev/null", rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out.rfind("guichet ", 0), 0u) << out;
}

TEST(process, bad_arguments_print_usage) {
  int rc = -1;
  auto out = run_command(std::string(GUICHET_BINARY) + " --frobnicate", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("usage"), std::string::npos);
}

class running_gateway : public ::testing::Test {
 protected:
  void launch(const std::string& limits) {
    port = test::free_port();
    config_text = "[server]\nport = " + std::to_string(port) + "\nthreads = 2\n[redis]\nport = " +
                  std::to_string(redis.port()) + "\n[timeouts]\ndrain = \"3s\"\n";
    // Per-process names: ctest runs the tests of this fixture in parallel processes.
    const std::string name = "running-" + std::to_string(::getpid());
    path = write_config(name + ".toml", config_text + limits);
    log = ::testing::TempDir() + "/" + name + ".log";
    pid = ::fork();
    if (pid == 0) {
      if (!::freopen(log.c_str(), "w", stderr)) ::_exit(126);
      ::execl(GUICHET_BINARY, GUICHET_BINARY, "--config", path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      test::http_client c(port);
      if (auto r = c.request("GET", "/readyz"); r && r->status == 200) return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "gateway did not become ready";
  }
  int wait_exit(std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < end) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }
  ~running_gateway() override {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  std::string logs() {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  test::redis_server redis;
  int port = 0;
  int pid = -1;
  std::string path, log, config_text;
};

TEST_F(running_gateway, sigterm_drains_and_exits_zero) {
  launch("");
  test::http_client idle(port);
  ASSERT_TRUE(idle.request("GET", "/healthz"));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(5s), 0);
  EXPECT_TRUE(idle.closed_by_peer());
  auto l = logs();
  EXPECT_NE(l.find(R"("msg":"draining","signal":"SIGTERM")"), std::string::npos) << l;
  // Every log line is one JSON object.
  std::istringstream lines(l);
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(^\{"ts":[0-9.]+,"level":"[a-z]+","msg":".*\}$)"))) << line;
}

TEST_F(running_gateway, a_broken_pipe_does_not_kill_it) {
  // hiredis writes without MSG_NOSIGNAL: a write to a Redis that has just died raises SIGPIPE
  // (a full TSan run caught a gateway killed so in the failover test). The gateway ignores it.
  launch("");
  ::kill(pid, SIGPIPE);
  EXPECT_EQ(wait_exit(300ms), -1) << "the gateway exited on SIGPIPE";
  test::http_client c(port);
  auto r = c.request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(running_gateway, sighup_applies_live_limits_and_refuses_a_broken_file) {
  launch("[limits]\nper_ip_rate = 0\n");
  {
    test::http_client c(port);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(c.request("GET", "/nope")->status, 404);
  }
  std::ofstream(path) << config_text << "[limits]\nper_ip_rate = 1\nper_ip_burst = 2\n";
  ::kill(pid, SIGHUP);
  std::this_thread::sleep_for(300ms);
  int limited = 0;
  {
    test::http_client c(port);
    for (int i = 0; i < 10; ++i) limited += c.request("GET", "/nope")->status == 429;
  }
  EXPECT_GE(limited, 7);
  // A broken file is refused as a whole; the running limits stay.
  std::ofstream(path) << config_text << "[limits]\nper_ip_rate = \"lots\"\n";
  ::kill(pid, SIGHUP);
  std::this_thread::sleep_for(300ms);
  EXPECT_NE(logs().find("config reload refused"), std::string::npos);
  test::http_client c(port);
  limited = 0;
  for (int i = 0; i < 10; ++i) limited += c.request("GET", "/nope")->status == 429;
  EXPECT_GE(limited, 7);
}

}  // namespace
}  // namespace guichet
