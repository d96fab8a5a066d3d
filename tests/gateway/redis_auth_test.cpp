// Production Redis is never open: a real redis-server with the default user disabled and an ACL
// user for guichet. The gateway's connections and the ops commands' connection authenticate with
// redis.user / redis.password (a secret reference); a wrong or missing password never gets a
// connection ready, and no message ever shows the password.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <functional>
#include <string>
#include <vector>
#include <optional>

#include "gateway/redis/connection.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "gateway/redis/subscriber.hpp"
#include "tests/support/redis_probe.hpp"
#include "tests/support/redis_server.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "guichet-redis-password-0123456789";

test::redis_options acl_server() {
  // The ACL user docs/security.md recommends, word for word.
  return {.args = {"--user", "default", "off", "--user", "guichet", "on", std::string(">") + kPassword, "~*", "&*",
                   "+@all", "-@dangerous", "+role", "+info"},
          .cli_args = {"--user", "guichet", "--pass", kPassword}};
}

class redis_auth : public ::testing::Test {
 protected:
  redis_auth() : redis(acl_server()) {
    ::setenv("GUICHET_TEST_REDIS_PASSWORD", kPassword, 1);
    ::setenv("GUICHET_TEST_WRONG_PASSWORD", "not-the-password-0123456789", 1);
  }
  redis_config config_with(std::string user, std::string password_env) {
    redis_config c;
    c.port = static_cast<std::uint16_t>(redis.port());
    c.user = std::move(user);
    if (!password_env.empty()) c.password.env = std::move(password_env);
    c.reconnect_min = 20ms;
    c.reconnect_max = 100ms;
    return c;
  }
  /// Ready within `limit`, and then really usable: a SET goes through.
  bool ready_within(const redis_config& c, std::chrono::milliseconds limit) {
    auto r = test::set_through(c, "auth-test", "written", limit);
    if (r) {
      EXPECT_EQ(*r, "OK");
    }
    return r.has_value();
  }

  test::redis_server redis;
};

TEST_F(redis_auth, the_server_really_refuses_anonymous_clients) {
  // The premise: without credentials this server answers nothing but NOAUTH.
  int rc = std::system(("redis-cli -p " + std::to_string(redis.port()) + " SET x y 2>&1 | grep -q NOAUTH").c_str());
  EXPECT_EQ(rc, 0);
}

TEST_F(redis_auth, gateway_connection_authenticates_with_the_acl_user) {
  EXPECT_TRUE(ready_within(config_with("guichet", "GUICHET_TEST_REDIS_PASSWORD"), 5s));
  EXPECT_EQ(redis.cli({"GET", "auth-test"}), "written");
}

TEST_F(redis_auth, gateway_connection_is_never_ready_without_the_right_password) {
  EXPECT_FALSE(ready_within(config_with("guichet", "GUICHET_TEST_WRONG_PASSWORD"), 1500ms));
  EXPECT_FALSE(ready_within(config_with("", "GUICHET_TEST_REDIS_PASSWORD"), 1000ms)) << "the default user is off";
  EXPECT_FALSE(ready_within(config_with("", ""), 1000ms)) << "no AUTH at all";
  EXPECT_EQ(redis.cli({"EXISTS", "auth-test"}), "0");
}

TEST_F(redis_auth, ops_connection_authenticates_and_names_a_refusal_without_the_password) {
  redis::blocking_client good(config_with("guichet", "GUICHET_TEST_REDIS_PASSWORD"));
  ASSERT_TRUE(good.ok()) << good.error();
  auto r = good.command({"SET", "ops-auth", "1"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_STATUS);

  redis::blocking_client bad(config_with("guichet", "GUICHET_TEST_WRONG_PASSWORD"));
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("AUTH refused"), std::string::npos) << bad.error();
  EXPECT_EQ(bad.error().find("not-the-password"), std::string::npos) << bad.error();

  redis::blocking_client none(config_with("", ""));
  EXPECT_FALSE(none.ok()) << "an unauthenticated connection must not be taken for a primary";
  EXPECT_NE(none.error().find("NOAUTH"), std::string::npos) << none.error();
}

// The fleet's followers listen on a subscription of their own: it shakes hands as the command
// connection does, hears what is published, and with a wrong password hears nothing.
TEST_F(redis_auth, a_subscriber_authenticates_and_hears_each_message) {
  auto listen = [&](const char* password_env) {
    net::io_context io;
    const redis_config c = config_with("guichet", password_env);
    std::vector<std::string> heard;
    redis::subscriber sub(io, c, "auth-test:news", [&](std::string_view m) { heard.emplace_back(m); });
    sub.keep({"127.0.0.1", c.port});
    auto until = [&](auto done, std::chrono::milliseconds limit) {
      auto end = std::chrono::steady_clock::now() + limit;
      while (!done() && std::chrono::steady_clock::now() < end) io.run_for(10ms);
    };
    until([&] { return sub.subscribed(); }, 3s);
    if (sub.subscribed()) {
      redis.cli({"PUBLISH", "auth-test:news", "first"});
      redis.cli({"PUBLISH", "auth-test:news", std::string("S3:4:keyv:al")});
      until([&] { return heard.size() >= 2; }, 3s);
    }
    sub.stop();
    io.run_for(10ms);
    return std::make_pair(sub.subscribed(), heard);
  };
  auto [was, heard] = listen("GUICHET_TEST_REDIS_PASSWORD");
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0], "first");
  EXPECT_EQ(heard[1], std::string("S3:4:keyv:al"));
  auto [wrong, none] = listen("GUICHET_TEST_WRONG_PASSWORD");
  EXPECT_FALSE(wrong);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace guichet
