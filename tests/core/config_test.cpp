#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/duration.hpp"
#include "core/secret.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

TEST(duration, parses_units_and_refuses_the_rest) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("5s"), 5s);
  EXPECT_EQ(parse_duration("10m"), 10min);
  EXPECT_EQ(parse_duration("48h"), 48h);
  EXPECT_EQ(parse_duration("2d"), 48h);
  for (auto bad : {"", "5", "s", "-1s", "1.5s", "5 s", "5sec", "99999999999999999999h"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(config, empty_file_gives_defaults) {
  auto r = parse_config("", "empty.toml");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.value.server.port, 8080);
  EXPECT_EQ(r.value.timeouts.header, 5s);
  EXPECT_EQ(r.value.redis.command_timeout, 1s);
}

TEST(config, reads_every_section) {
  auto r = parse_config(R"(
[server]
listen = "0.0.0.0"
port = 9000
threads = 3
max_connections = 5
[limits]
header_bytes = 4096
body_bytes = 100
per_ip_rate = 10
per_ip_burst = 20
[timeouts]
header = "1s"
body = "2s"
idle = "3s"
write = "4s"
drain = "5s"
[redis]
host = "10.0.0.1"
port = 7000
command_timeout = "50ms"
max_inflight = 9
reconnect_min = "10ms"
reconnect_max = "1s"
[log]
level = "warn"
[proxy]
trusted = ["10.0.0.0/8", "::1"]
[secrets]
admin_key = { file = "/run/secrets/admin" }
)", "full.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  const config& c = r.value;
  EXPECT_EQ(c.server.listen, "0.0.0.0");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.server.threads, 3u);
  EXPECT_EQ(c.limits.per_ip_burst, 20u);
  EXPECT_EQ(c.timeouts.drain, 5s);
  EXPECT_EQ(c.redis.host, "10.0.0.1");
  EXPECT_EQ(c.redis.command_timeout, 50ms);
  EXPECT_EQ(c.log, log_level::warn);
  ASSERT_EQ(c.trusted_proxies.size(), 2u);
  EXPECT_EQ(c.secrets.admin_key.file, "/run/secrets/admin");
}

TEST(config, reports_every_error_with_its_line) {
  auto r = parse_config(R"([server]
prot = 1
port = "x"
threads = -1
[timeouts]
idle = "5 s"
[secrets]
admin_key = "hunter2-inline-secret"
[log]
level = "loud"
[proxy]
trusted = ["10.0.0.0/33"]
[nonsense]
)", "bad.toml");
  ASSERT_EQ(r.errors.size(), 8u);
  auto has = [&](int line, std::string_view text) {
    for (auto& e : r.errors)
      if (e.line == line && e.message.find(text) != std::string::npos && e.file == "bad.toml") return true;
    return false;
  };
  EXPECT_TRUE(has(2, "unknown key 'server.prot'"));
  EXPECT_TRUE(has(3, "'server.port' must be an integer"));
  EXPECT_TRUE(has(4, "'server.threads' must be between"));
  EXPECT_TRUE(has(6, "'timeouts.idle' must be a duration"));
  EXPECT_TRUE(has(8, "never inline"));
  EXPECT_TRUE(has(10, "'log.level'"));
  EXPECT_TRUE(has(12, "'proxy.trusted'"));
  EXPECT_TRUE(has(13, "unknown key 'nonsense'"));
  // The secret's value never appears in an error.
  for (auto& e : r.errors) EXPECT_EQ(e.to_string().find("hunter2"), std::string::npos);
}

TEST(config, syntax_error_names_the_line) {
  auto r = parse_config("[server]\nport = = 3\n", "syntax.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
}

TEST(config, secret_needs_exactly_one_source) {
  auto r = parse_config("[secrets]\nadmin_key = { env = \"A\", file = \"/b\" }\n", "s.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("exactly one"), std::string::npos);
}

// Found by fuzz/config_fuzz: a huge float where an integer belongs was converted unchecked.
TEST(config, a_float_where_an_integer_belongs_is_an_error_whatever_its_size) {
  auto r = parse_config("[server]\nport = 8.7e81\n[limits]\nper_ip_rate = 1.5\n[editions.e.sessions]\n"
                        "S = { name = \"s\", categories = { A = 1e300 } }\n", "f.toml");
  auto has = [&](int line, std::string_view text) {
    for (auto& e : r.errors)
      if (e.line == line && e.message.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(2, "'server.port' must be an integer"));
  EXPECT_TRUE(has(4, "'limits.per_ip_rate' must be an integer"));
  EXPECT_TRUE(has(6, "needs a capacity from 0 to 100000000"));
}

TEST(config, reconnect_bounds_are_ordered) {
  auto r = parse_config("[redis]\nreconnect_min = \"5s\"\nreconnect_max = \"1s\"\n", "r.toml");
  ASSERT_EQ(r.errors.size(), 1u);
}

TEST(config, shipped_configs_are_valid) {
  for (auto name : {"dev.toml", "production.toml"}) {
    auto r = load_config(std::string(GUICHET_SOURCE_DIR) + "/config/" + name);
    EXPECT_TRUE(r.errors.empty()) << name << ": " << (r.errors.empty() ? "" : r.errors[0].to_string());
  }
}

// The production example keeps the ops endpoints off the public port, Redis closed, the
// identity provider by JWKS and every secret in a file.
TEST(config, the_production_example_draws_the_trust_boundaries) {
  auto r = load_config(std::string(GUICHET_SOURCE_DIR) + "/config/production.toml");
  ASSERT_TRUE(r.errors.empty());
  const config& c = r.value;
  EXPECT_GT(c.server.ops_port, 0);
  EXPECT_NE(c.server.ops_listen, c.server.listen);
  EXPECT_FALSE(c.redis.user.empty());
  EXPECT_EQ(c.redis.replicas_ack, 1u);
  EXPECT_FALSE(c.identity.jwks_file.empty());
  EXPECT_FALSE(c.identity.issuer.empty());
  EXPECT_FALSE(c.audit.file.empty());
  EXPECT_GT(c.limits.door_per_ip_rate, 0u);
  EXPECT_FALSE(c.web.root.empty());  // the fans' pages, behind the CDN
  EXPECT_FALSE(c.demo.payment);      // never the demo's stand-in payment
  // Every secret a systemd credential: the packaged unit's LoadCredential= names (the package
  // test checks the two agree by starting the installed unit's command lines).
  for (const secret_ref* s : {&c.secrets.admin_key, &c.secrets.payment_key, &c.redis.password, &c.redis.sentinel_password})
    EXPECT_TRUE(s->env.empty() && s->file.empty() && !s->credential.empty());
  for (const auto& k : c.token_keys) EXPECT_FALSE(k.secret.credential.empty());
}

TEST(config, missing_file_is_an_error) {
  auto r = load_config("/nonexistent/guichet.toml");
  ASSERT_EQ(r.errors.size(), 1u);
}

TEST(secret, from_env_and_file) {
  ::setenv("GUICHET_TEST_SECRET", "0123456789abcdef-env", 1);
  EXPECT_EQ(load_secret({.env = "GUICHET_TEST_SECRET"}), "0123456789abcdef-env");
  std::string path = ::testing::TempDir() + "/secret-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << "0123456789abcdef-file\n";
  EXPECT_EQ(load_secret({.file = path}), "0123456789abcdef-file");
}

TEST(secret, from_a_systemd_credential) {
  std::string dir = ::testing::TempDir() + "/creds-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/admin_key") << "0123456789abcdef-cred\n";
  ::unsetenv("CREDENTIALS_DIRECTORY");
  try {
    load_secret({.credential = "admin_key"});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CREDENTIALS_DIRECTORY is not set"), std::string::npos) << e.what();
  }
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  EXPECT_EQ(load_secret({.credential = "admin_key"}), "0123456789abcdef-cred");
  EXPECT_THROW(load_secret({.credential = "payment_key"}), std::runtime_error);  // not loaded
  EXPECT_THROW(load_secret({.credential = "../admin_key"}), std::runtime_error);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  auto r = parse_config("[secrets]\nadmin_key = { credential = \"a/b\" }\npayment_key = { credential = \"payment_key\" }\n"
                        "jwt_key = { credential = \"..\" }\n", "c.toml");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_EQ(r.value.secrets.payment_key.credential, "payment_key");
}

TEST(secret, refuses_missing_and_short) {
  ::unsetenv("GUICHET_TEST_NOPE");
  EXPECT_THROW(load_secret({.env = "GUICHET_TEST_NOPE"}), std::runtime_error);
  EXPECT_THROW(load_secret({.file = "/nonexistent/secret"}), std::runtime_error);
  ::setenv("GUICHET_TEST_SHORT", "short", 1);
  try {
    load_secret({.env = "GUICHET_TEST_SHORT"});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find("short\""), std::string::npos);  // names the variable, not the value
  }
}

}  // namespace
}  // namespace guichet
