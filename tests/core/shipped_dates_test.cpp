// Nothing shipped expires: every room of a shipped config is open for at least a year from today,
// or is a past sale kept as a worked example (ended more than a year ago); the harness and fuzz
// configs take their dates from the clock (no literal date-time in them).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/duration.hpp"

namespace guichet {
namespace {

constexpr std::int64_t kYearMs = 365LL * 86'400'000;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(shipped_dates, no_room_of_a_shipped_config_ends_within_a_year_of_today) {
  const std::int64_t now = system_ms();
  for (auto name : {"config/dev.toml", "config/production.toml"}) {
    auto r = load_config(std::string(GUICHET_SOURCE_DIR) + "/" + name);
    ASSERT_TRUE(r.errors.empty()) << name;
    for (const auto& e : r.value.editions)
      for (const auto& p : e.phases) {
        std::int64_t last_end = 0;
        for (const auto& s : p.slots) last_end = std::max(last_end, s.end_ms());
        bool open_a_year = last_end >= now + kYearMs, long_past = last_end < now - kYearMs;
        EXPECT_TRUE(open_a_year || long_past)
            << name << ": room " << e.id << "/" << p.id << " ends " << (last_end - now) / 86'400'000
            << " days from today: give it dates a year ahead, or relative ones (\"today\")";
      }
  }
}

TEST(shipped_dates, the_demo_room_is_open_today_and_for_a_year) {
  const std::int64_t now = system_ms();
  auto r = load_config(std::string(GUICHET_SOURCE_DIR) + "/config/dev.toml");
  ASSERT_TRUE(r.errors.empty());
  const edition_config* e = r.value.find_edition("demo");
  const phase_config* p = e ? e->find_phase("open") : nullptr;
  ASSERT_TRUE(p);
  ASSERT_EQ(p->slots.size(), 1u);
  EXPECT_LE(p->slots[0].start_ms, now);
  EXPECT_GE(p->slots[0].end_ms(), now + kYearMs);
}

// The harness's surge config is a template the scripts fill from the clock, and the fuzz
// harnesses and the draw benchmark build theirs from it too: a literal date there would expire.
TEST(shipped_dates, harness_fuzz_and_bench_configs_have_no_literal_date) {
  const std::regex literal(R"((start|registration_opens|registration_closes|retire)\s*=\s*\d{4}-\d{2}-\d{2}T)");
  for (auto name : {"loadtest/surge.toml", "fuzz/http_session_fuzz.cpp", "fuzz/hold_body_fuzz.cpp",
                    "scripts/draw_bench.sh", "scripts/serve.sh", "scripts/surge.sh"}) {
    std::string text = read(std::string(GUICHET_SOURCE_DIR) + "/" + name);
    ASSERT_FALSE(text.empty()) << name;
    std::smatch m;
    EXPECT_FALSE(std::regex_search(text, m, literal)) << name << ": a literal date: " << m.str();
  }
}

TEST(relative_day, today_and_offsets_from_its_midnight_utc) {
  const std::int64_t midnight = 1'795'996'800'000;  // 2026-11-30T00:00:00Z
  const std::int64_t noon = midnight + 12 * 3'600'000;
  EXPECT_EQ(relative_day("today", noon), midnight);
  EXPECT_EQ(relative_day("today+30d", noon), midnight + 30LL * 86'400'000);
  EXPECT_EQ(relative_day("today-1d", noon), midnight - 86'400'000);
  EXPECT_EQ(relative_day("today+90m", noon), midnight + 90 * 60'000);
  for (auto bad : {"", "now", "today+", "today+1", "today*1d", "tomorrow", "today +1d", "today+-1d"})
    EXPECT_FALSE(relative_day(bad, noon)) << bad;
}

TEST(relative_day, a_config_time_may_be_relative_and_a_bad_one_is_named) {
  auto r = parse_config(R"([editions.e.phases.p]
slots = [ { id = "all", start = "today+2d", duration = "1h" } ]
[editions.e.phases.q]
slots = [ { id = "all", start = "yesterday", duration = "1h" } ]
)", "rel.toml");
  bool named = false;
  for (auto& err : r.errors) {
    EXPECT_NE(err.line, 2) << err.to_string();  // the relative start is fine
    named |= err.line == 4 && err.message.find("\"today+30d\"") != std::string::npos;
  }
  EXPECT_TRUE(named);
  const phase_config* p = r.value.editions.at(0).find_phase("p");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->slots[0].start_ms, *relative_day("today", system_ms()) + 2 * 86'400'000);
}

}  // namespace
}  // namespace guichet
