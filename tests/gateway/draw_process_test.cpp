// The draw as ops run it: the real binary's --import-registrations, --draw-commit and --draw
// against a real redis-server, checked by the independent Python verifier.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/keys.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet {
namespace {

using test::run_command;

class draw_process : public ::testing::Test {
 protected:
  draw_process() : dir(::testing::TempDir() + "/draw-" + std::to_string(::getpid())) {
    std::filesystem::create_directories(dir);
    config = dir + "/draw.toml";
    std::ofstream(config) << "[redis]\nport = " << redis.port() << R"(
[secrets]
jwt_key = { env = "GUICHET_JWT_KEY" }
[[tokens.keys]]
id = "k1"
env = "GUICHET_TOKEN_KEY"
[editions.ed1.phases.packs]
draw = true
slots = [
  { id = "club-1", start = "today+400d", duration = "48h", group = "club", capacity = 40 },
  { id = "all-1", start = "today+402d", duration = "48h", capacity = 100 },
  { id = "all-2", start = "today+404d", duration = "48h", capacity = 60 },
]
)";
    std::ofstream csv(dir + "/regs.csv");
    csv << "account,groups\n";
    for (int i = 0; i < 500; ++i) csv << "fan-" << i << "," << (i % 4 == 0 ? "club" : "") << "\n";
  }
  std::string guichet(const std::string& args, int& rc) {
    return run_command("GUICHET_JWT_KEY=unused-jwt-key-0123456 GUICHET_TOKEN_KEY=unused-token-key-0123 " GUICHET_BINARY
               " --config " + config + " " + args, rc);
  }
  test::redis_server redis;
  std::string dir, config;
};

TEST_F(draw_process, commit_reveal_draw_and_independent_verification) {
  int rc = -1;
  auto imported = guichet("--import-registrations ed1 packs " + dir + "/regs.csv", rc);
  ASSERT_EQ(rc, 0) << imported;
  EXPECT_NE(imported.find("500 new"), std::string::npos) << imported;
  auto again = guichet("--import-registrations ed1 packs " + dir + "/regs.csv", rc);
  EXPECT_NE(again.find("0 new, 500 already registered"), std::string::npos) << again;

  auto commit = guichet("--draw-commit ed1 packs", rc);
  ASSERT_EQ(rc, 0) << commit;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(commit, m, std::regex("seed \\(secret until the draw\\): ([0-9a-f]{64})")));
  std::string seed = m[1];
  EXPECT_EQ(guichet("--draw-commit ed1 packs", rc).find("refused"), 0u);  // one commitment per draw
  EXPECT_EQ(rc, 1);

  std::string wrong = seed;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  auto refused = guichet("--draw ed1 packs " + wrong + " " + dir + "/out", rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(refused.find("does not match the published commitment"), std::string::npos) << refused;

  auto drawn = guichet("--draw ed1 packs " + seed + " " + dir + "/out", rc);
  ASSERT_EQ(rc, 0) << drawn;
  EXPECT_NE(drawn.find("drawn: 200 winners, 300 not drawn"), std::string::npos) << drawn;
  EXPECT_EQ(redis.cli({"HLEN", keys::draw("ed1", "packs")}), "200");

  auto verified = run_command("python3 " GUICHET_SOURCE_DIR "/tools/verify_draw.py " + dir + "/out", rc);
  EXPECT_EQ(rc, 0) << verified;
  EXPECT_NE(verified.find("draw verified: 200 winners"), std::string::npos) << verified;

  // Same seed, same registrants: a no-op.
  auto rerun = guichet("--draw ed1 packs " + seed + " " + dir + "/out2", rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(rerun.find("already drawn with this very result"), std::string::npos) << rerun;

  // The verifier is worth something only if it can fail: swap two winners' slots in the CSV.
  std::ifstream in(dir + "/out/winners.csv");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string csv = ss.str();
  auto pos = csv.find(",all-1,");
  ASSERT_NE(pos, std::string::npos);
  csv.replace(pos, 7, ",all-2,");
  std::ofstream(dir + "/out/winners.csv") << csv;
  auto tampered = run_command("python3 " GUICHET_SOURCE_DIR "/tools/verify_draw.py " + dir + "/out", rc);
  EXPECT_EQ(rc, 1) << tampered;
  EXPECT_NE(tampered.find("NOT verified"), std::string::npos);

  // A registration added after the draw changes the registrants: the recorded result stands.
  redis.cli({"HSET", keys::registrations("ed1", "packs"), "late-fan", ""});
  auto changed = guichet("--draw ed1 packs " + seed + " " + dir + "/out3", rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(changed.find("a different result"), std::string::npos) << changed;
}

TEST_F(draw_process, import_reports_every_bad_row_and_writes_nothing) {
  std::ofstream(dir + "/bad.csv") << "account,groups\nfan-1,club\nfan|2,\nfan-3,club;b@d!\nfan-1,\nonly-one-column\n";
  int rc = -1;
  auto out = guichet("--import-registrations ed1 packs " + dir + "/bad.csv", rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("bad.csv:3: bad account id 'fan|2'"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.csv:4: bad group list"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.csv:5: account 'fan-1' already on line 2"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.csv:6: expected 2 columns"), std::string::npos) << out;
  EXPECT_EQ(redis.cli({"HLEN", keys::registrations("ed1", "packs")}), "0");
}

// RFC 4180 files as spreadsheets export them: a BOM, CRLF, quoted fields with commas, quotes
// and line breaks; broken quoting is a bad row like any other, and then nothing is written.
TEST_F(draw_process, import_reads_rfc4180_files_from_spreadsheets) {
  std::ofstream(dir + "/excel.csv", std::ios::binary)
      << "\xEF\xBB\xBF" "account,groups\r\n\"fan-q1\",\"club,vip\"\r\nfan-q2,\r\n\"fan-q3\",club\r\n";
  int rc = -1;
  auto out = guichet("--import-registrations ed1 packs " + dir + "/excel.csv", rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("imported 3 rows: 3 new"), std::string::npos) << out;
  EXPECT_EQ(redis.cli({"HGET", keys::registrations("ed1", "packs"), "fan-q1"}), "club,vip");
  EXPECT_EQ(redis.cli({"HGET", keys::registrations("ed1", "packs"), "fan-q2"}), "");
  EXPECT_EQ(redis.cli({"HEXISTS", keys::registrations("ed1", "packs"), "account"}), "0") << "the header is not a row";

  std::ofstream(dir + "/broken.csv", std::ios::binary)
      << "account,groups\r\nfan-b1,club\r\n\"fan-b2\"x,club\r\n\"fan\r\nb3\",club\r\nfan-b4,\"open\r\n";
  out = guichet("--import-registrations ed1 packs " + dir + "/broken.csv", rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("broken.csv:3: text after a closing quote"), std::string::npos) << out;
  EXPECT_NE(out.find("broken.csv:4: bad account id"), std::string::npos) << "a line break inside an id: " << out;
  EXPECT_NE(out.find("broken.csv:6: a quoted field is never closed"), std::string::npos) << out;
  EXPECT_EQ(redis.cli({"HEXISTS", keys::registrations("ed1", "packs"), "fan-b1"}), "0") << "nothing written";
}

}  // namespace
}  // namespace guichet
