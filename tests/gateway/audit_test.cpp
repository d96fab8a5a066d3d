// The audit trail: every admin call and every inventory/draw command, as JSON lines in the audit
// file and as the same entry in the edition's capped Redis stream, with who, what, before/after.
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/clock.hpp"
#include "core/digest.hpp"
#include "core/keys.hpp"
#include "gateway/server/worker.hpp"
#include "tests/support/guichet_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "audit-test-admin-key-0123456789";

class audit_trail : public ::testing::Test {
 protected:
  audit_trail() : dir_(::testing::TempDir() + "/audit-" + std::to_string(::getpid())) {
    std::filesystem::create_directories(dir_);
    port_ = test::free_port();
    std::time_t start = static_cast<std::time_t>(system_ms() / 1000 - 60);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&start));
    config_ = dir_ + "/audit.toml";
    std::ofstream(config_) << "[server]\nport = " << port_ << "\nthreads = 2\n[redis]\nport = " << redis_.port()
                           << "\n[log]\nlevel = \"warn\"\n[audit]\nfile = \"" << dir_ << "/audit.jsonl\"\nstream_max = 5\n"
                           << R"([secrets]
admin_key = { env = "GUICHET_ADMIN_KEY" }
jwt_key = { env = "GUICHET_JWT_KEY" }
[[tokens.keys]]
id = "k1"
env = "GUICHET_TOKEN_KEY"
[editions.ed.sessions]
S1 = { name = "Session one", categories = { A = 100, B = 50 } }
[editions.ed.phases.open]
slots = [ { id = "all", start = )" << ts << R"(, duration = "2h" } ]
[editions.ed.phases.lottery]
draw = true
slots = [ { id = "all", start = "today+400d", duration = "2h", capacity = 10 } ]
)";
  }
  ~audit_trail() override {
    gateway_.stop();
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(dir_, ec);
  }
  std::string env() const {
    return "GUICHET_ADMIN_KEY=" + kAdminKey + " GUICHET_JWT_KEY=audit-jwt-key-0123456789 "
           "GUICHET_TOKEN_KEY=audit-token-key-0123456789 ";
  }
  std::string command(const std::string& args, int& rc) {
    return test::run_command(env() + GUICHET_BINARY " --config " + config_ + " " + args, rc);
  }
  void launch() {
    gateway_.start(GUICHET_BINARY, config_,
                   {{"GUICHET_ADMIN_KEY", kAdminKey}, {"GUICHET_JWT_KEY", "audit-jwt-key-0123456789"},
                    {"GUICHET_TOKEN_KEY", "audit-token-key-0123456789"}});
    ASSERT_TRUE(gateway_.ready(port_)) << "the gateway did not become ready";
  }
  int admin(const std::string& body, const std::string& key = kAdminKey) {
    test::http_client c(port_);
    auto r = c.request("POST", "/admin/rooms/ed/open", body,
                       "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n");
    return r ? r->status : 0;
  }
  std::vector<std::string> lines() const {
    std::ifstream in(dir_ + "/audit.jsonl");
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }

  test::redis_server redis_;
  std::string dir_, config_;
  test::guichet_process gateway_;
  int port_ = 0;
};

TEST_F(audit_trail, commands_and_admin_calls_are_recorded_with_who_what_before_and_after) {
  const passwd* pw = ::getpwuid(::geteuid());
  const char* sudo = std::getenv("SUDO_USER");
  const std::string cli = std::string("\"who\":\"cli:") + (sudo && *sudo ? sudo : pw->pw_name) + "\"";
  int rc = -1;
  auto out = command("--load-inventory", rc);
  ASSERT_EQ(rc, 0) << out;
  std::ofstream(dir_ + "/regs.csv") << "account,groups\nfan-1,\nfan-2,club\n";
  out = command("--import-registrations ed lottery " + dir_ + "/regs.csv", rc);
  ASSERT_EQ(rc, 0) << out;
  out = command("--draw-commit ed lottery", rc);
  ASSERT_EQ(rc, 0) << out;
  auto l = lines();
  ASSERT_EQ(l.size(), 3u) << out;
  EXPECT_NE(l[0].find(R"("what":"inventory.load","edition":"ed","phase":"","before":{"S1/A":null,"S1/B":null},"after":{"S1/A":100,"S1/B":50})"),
            std::string::npos) << l[0];
  EXPECT_NE(l[0].find(cli), std::string::npos) << l[0];
  EXPECT_NE(l[1].find(R"("what":"registrations.import","edition":"ed","phase":"lottery","before":{"registrations":0},"after":{"registrations":2,"rows":2,"new":2})"),
            std::string::npos) << l[1];
  EXPECT_NE(l[2].find(R"("what":"draw.commit")"), std::string::npos) << l[2];

  launch();
  EXPECT_EQ(admin(R"({"action":"pause","admit_rate":7})"), 200);
  EXPECT_EQ(admin(R"({"action":"resume"})", "not-the-admin-key-0123456789"), 401);
  l = lines();
  ASSERT_EQ(l.size(), 4u) << "a refused call changes nothing and is not an action";
  const std::string id = sha256_hex(kAdminKey).substr(0, 8);
  EXPECT_NE(l[3].find("\"who\":\"admin:" + id + "\",\"what\":\"room.update\",\"edition\":\"ed\",\"phase\":\"open\""),
            std::string::npos) << l[3];
  EXPECT_NE(l[3].find(R"("before":{)"), std::string::npos) << l[3];
  EXPECT_NE(l[3].find(R"("status":"open")"), std::string::npos) << "the status before: " << l[3];
  EXPECT_NE(l[3].find(R"("after":{)"), std::string::npos) << l[3];
  EXPECT_NE(l[3].find(R"("status":"paused")"), std::string::npos) << l[3];
  EXPECT_NE(l[3].find(R"("rate":"7")"), std::string::npos) << l[3];
  EXPECT_NE(l[3].find(R"("from":"127.0.0.1")"), std::string::npos) << l[3];
  EXPECT_EQ(l[3].find(kAdminKey), std::string::npos) << "the key itself is never written";

  // The same entries in the edition's stream, capped at stream_max = 5.
  auto stream = redis_.cli({"XRANGE", keys::audit("ed"), "-", "+"});
  EXPECT_NE(stream.find("room.update"), std::string::npos) << stream;
  EXPECT_NE(stream.find("admin:" + id), std::string::npos) << stream;
  for (int i = 0; i < 6; ++i) EXPECT_EQ(admin(R"({"max_active":)" + std::to_string(100 + i) + "}"), 200);
  EXPECT_EQ(redis_.cli({"XLEN", keys::audit("ed")}), "5");
  EXPECT_EQ(lines().size(), 10u) << "the file keeps everything";
  EXPECT_NE(lines().back().find(R"("before":{"max_active":"104"},"after":{"max_active":"105"})"), std::string::npos)
      << lines().back();
}

}  // namespace
}  // namespace guichet
