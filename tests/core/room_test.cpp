#include "core/room.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "core/config.hpp"
#include "core/permutation.hpp"

namespace guichet {
namespace {

TEST(permutation, is_a_bijection_for_every_size) {
  for (std::uint64_t n : {1ULL, 2ULL, 3ULL, 4ULL, 5ULL, 7ULL, 16ULL, 17ULL, 100ULL, 1000ULL, 4097ULL, 100'003ULL}) {
    feistel_permutation p(0x1234, 0x5678 + n, n);
    std::vector<bool> seen(n);
    for (std::uint64_t x = 0; x < n; ++x) {
      auto y = p(x);
      ASSERT_LT(y, n);
      ASSERT_FALSE(seen[y]) << "n=" << n << " collision at " << x;
      seen[y] = true;
    }
  }
}

TEST(permutation, reproducible_from_its_key_and_key_dependent) {
  feistel_permutation a(1, 2, 1000), b(1, 2, 1000), c(1, 3, 1000);
  int same = 0;
  for (std::uint64_t x = 0; x < 1000; ++x) {
    EXPECT_EQ(a(x), b(x));
    same += a(x) == c(x);
  }
  EXPECT_LT(same, 20);  // ~1 expected for independent permutations
}

TEST(permutation, first_joiner_lands_uniformly) {
  // Over many keys, where local number 0 lands among n = 6 is uniform (chi-square, 5 df).
  const int n = 6, trials = 60'000;
  std::vector<int> bins(n);
  for (std::uint64_t k = 0; k < trials; ++k) bins[feistel_permutation(0x9e37 * k, k, n)(0)]++;
  double chi = 0, expected = double(trials) / n;
  for (int b : bins) chi += (b - expected) * (b - expected) / expected;
  EXPECT_LT(chi, 20.52);  // p = 0.001
}

phase_config phase_with(std::int64_t start, std::int64_t dur, std::int64_t pre) {
  phase_config p;
  p.pre_queue = milliseconds(pre);
  p.slots.push_back({"s", start, milliseconds(dur), ""});
  return p;
}

TEST(room, status_follows_slots_and_ops) {
  auto p = phase_with(10'000, 5'000, 3'000);
  room_state s;
  EXPECT_EQ(status_of(p, s, 6'000), room_status::closed);
  EXPECT_EQ(status_of(p, s, 7'000), room_status::pre_queue);
  EXPECT_EQ(status_of(p, s, 10'000), room_status::open);
  EXPECT_EQ(status_of(p, s, 15'000), room_status::closed);
  s.stored_status = "paused";
  EXPECT_EQ(status_of(p, s, 12'000), room_status::paused);
  s.stored_status = "sold_out";
  EXPECT_EQ(status_of(p, s, 12'000), room_status::sold_out);
}

TEST(room, locate_fifo_and_pre_queue) {
  room_state s;
  s.serving = 100;
  s.rate = 10;
  s.slots.push_back({true, 50, 20, 7, 9});
  queue_claims f{"e", "p", "s", "a", 'f', 125, 0};
  auto pf = locate(f, 0, s);
  EXPECT_TRUE(pf.known);
  EXPECT_EQ(pf.position, 125u);
  EXPECT_EQ(pf.ahead, 25u);
  EXPECT_EQ(pf.eta_seconds, 3);  // 26 admissions at 10/s
  EXPECT_FALSE(pf.admissible);

  std::set<std::uint64_t> positions;
  for (std::uint64_t i = 0; i < 50; ++i) {
    auto pp = locate('p', i, 0, s);
    ASSERT_TRUE(pp.known);
    positions.insert(pp.position);
  }
  EXPECT_EQ(*positions.begin(), 20u);
  EXPECT_EQ(*positions.rbegin(), 69u);
  EXPECT_EQ(positions.size(), 50u);  // the block [base, base + n) exactly

  s.slots[0].opened = false;
  EXPECT_FALSE(locate('p', 3, 0, s).known);
  s.rate = 0;
  EXPECT_EQ(locate(f, 0, s).eta_seconds, -1);
  s.serving = 126;
  EXPECT_TRUE(locate(f, 0, s).admissible);
}

TEST(room, outflow_says_what_holds_the_line_in_the_refresh_scripts_order) {
  auto p = phase_with(10'000, 5'000, 3'000);
  room_state s;
  s.now_ms = 12'000, s.serving = 10, s.tail = 50, s.rate = 4, s.max_active = 100, s.active = 3;
  EXPECT_EQ(outflow_of(p, s), outflow::moving);
  s.active = 100;
  EXPECT_EQ(outflow_of(p, s), outflow::ceiling);
  s.stock = "held";  // no seat: the stock is what holds it, whatever the shop's count
  EXPECT_EQ(outflow_of(p, s), outflow::stock);
  s.stored_status = "paused";
  EXPECT_EQ(outflow_of(p, s), outflow::paused);
  s.stored_status = "open", s.stock = "in", s.active = 3, s.rate = 0;
  EXPECT_EQ(outflow_of(p, s), outflow::paused);
  s.rate = 4, s.serving = 50;
  EXPECT_EQ(outflow_of(p, s), outflow::idle);
  s.now_ms = 16'000, s.serving = 10;  // the slot is over: closed
  EXPECT_EQ(outflow_of(p, s), outflow::paused);
  EXPECT_EQ(to_string(outflow::ceiling), "ceiling");
}

TEST(room, turn_is_when_the_counter_passes_the_position_at_the_rate) {
  room_state s;
  s.now_ms = 1'000'000, s.serving = 100, s.rate = 4;
  EXPECT_EQ(turn_ms(s, 99), 1'000'000);          // admissible already
  EXPECT_EQ(turn_ms(s, 100), 1'000'000 + 250);   // one more admission at 4/s
  EXPECT_EQ(turn_ms(s, 103), 1'000'000 + 1'000);
  s.rate = 3;
  EXPECT_EQ(turn_ms(s, 100), 1'000'000 + 334);   // rounded up: never announced early
  s.rate = 0;
  EXPECT_EQ(turn_ms(s, 500), 1'000'000);
}

TEST(config, editions_phases_and_slots) {
  auto r = parse_config(R"(
[secrets]
jwt_key = { env = "J" }
[[tokens.keys]]
id = "k2"
env = "K2"
[[tokens.keys]]
id = "k1"
file = "/run/k1"
retire = 2026-12-01T00:00:00Z
[editions.paris2024-olympics]
name = "Paris 2024"
[editions.paris2024-olympics.phases.packs]
draw = true
admit_rate = 40
slots = [
  { id = "club-1", start = 2023-02-15T10:00:00Z, duration = "48h", group = "club" },
  { id = "all-1", start = 2023-02-19T10:00:00+01:00, duration = "48h" },
]
[editions.paris2024-olympics.phases.single]
slots = [ { id = "open", start = 2023-05-11T08:00:00Z, duration = "30d" } ]
)", "e.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].to_string();
  ASSERT_EQ(r.value.editions.size(), 1u);
  auto& e = r.value.editions[0];
  EXPECT_EQ(e.id, "paris2024-olympics");
  auto* packs = e.find_phase("packs");
  ASSERT_TRUE(packs);
  EXPECT_TRUE(packs->draw);
  EXPECT_EQ(packs->admit_rate, 40u);
  ASSERT_EQ(packs->slots.size(), 2u);
  EXPECT_EQ(packs->slots[0].start_ms, 1676455200000);  // 2023-02-15T10:00:00Z
  EXPECT_EQ(packs->slots[1].start_ms, 1676797200000);  // 09:00Z
  EXPECT_EQ(packs->slots[0].group, "club");
  EXPECT_EQ(packs->slots[0].duration, std::chrono::hours(48));
  ASSERT_EQ(r.value.token_keys.size(), 2u);
  EXPECT_EQ(r.value.token_keys[1].retire_ms, 1796083200000);
}

TEST(config, edition_errors_name_their_lines) {
  auto r = parse_config(R"([secrets]
jwt_key = { env = "J" }
[[tokens.keys]]
id = "k-1"
env = "K"
[editions.e.phases.single]
slots = [ { id = "a", start = 2023-05-11T08:00:00Z, duration = "1h" },
          { id = "b", start = "yesterday", duration = "1h" } ]
[editions.e.phases.packs]
draw = true
slots = [ { id = "a", start = 2023-05-11T08:00:00Z, duration = "1h" },
          { id = "a", start = 2023-05-11T09:00:00Z, duration = "1h", colour = "red" } ]
)", "e.toml");
  std::set<int> lines;
  for (auto& e : r.errors) lines.insert(e.line);
  EXPECT_TRUE(lines.count(3)) << "token key id";
  EXPECT_TRUE(lines.count(6)) << "no-draw phase with two slots";
  EXPECT_TRUE(lines.count(8)) << "bad start";
  EXPECT_TRUE(lines.count(12)) << "duplicate slot id / unknown key";
}

}  // namespace
}  // namespace guichet
