#include "core/draw.hpp"

#include <gtest/gtest.h>

#include <set>

namespace guichet {
namespace {

std::array<std::uint8_t, 32> seed(std::uint8_t b) {
  std::array<std::uint8_t, 32> s{};
  s.fill(b);
  s[0] = static_cast<std::uint8_t>(b * 7 + 1);
  return s;
}

std::vector<registrant> people(int n, int club_every) {
  std::vector<registrant> r;
  for (int i = 0; i < n; ++i) {
    registrant x{"acct-" + std::to_string(i), {}};
    if (club_every && i % club_every == 0) x.groups = {"club"};
    r.push_back(x);
  }
  EXPECT_EQ(canonicalise(r), "");
  return r;
}

draw_result run(const std::vector<registrant>& r, const std::vector<draw_slot>& slots, std::uint8_t s) {
  draw_stream st(seed(s));
  return run_draw(r, slots, st);
}

TEST(draw, stream_and_uniform_below) {
  draw_stream a(seed(1)), b(seed(1)), c(seed(2));
  for (int i = 0; i < 20; ++i) {
    auto x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  for (std::uint64_t n : {1ULL, 2ULL, 3ULL, 7ULL, 1000ULL, (1ULL << 63) + 1})
    for (int i = 0; i < 50; ++i) EXPECT_LT(a.below(n), n);
  // Known answer: the first word is the first 8 bytes of SHA-256(seed || 0^8), big-endian.
  std::string in(reinterpret_cast<const char*>(seed(3).data()), 32);
  in += std::string(8, '\0');
  auto h = sha256_hex(in);
  draw_stream d(seed(3));
  char first[17];
  std::snprintf(first, sizeof first, "%016llx", static_cast<unsigned long long>(d.next()));
  EXPECT_EQ(h.substr(0, 16), first);
}

TEST(draw, deterministic_and_structurally_sound) {
  auto r = people(1000, 5);  // 200 club members
  std::vector<draw_slot> slots{{"club-1", "club", 60}, {"club-2", "club", 60}, {"all-1", "", 300}, {"all-2", "", 100}};
  auto a = run(r, slots, 1), b = run(r, slots, 1), c = run(r, slots, 2);
  ASSERT_EQ(a.winners.size(), b.winners.size());
  for (std::size_t i = 0; i < a.winners.size(); ++i) {
    EXPECT_EQ(a.winners[i].registrant, b.winners[i].registrant);
    EXPECT_EQ(a.winners[i].slot, b.winners[i].slot);
  }
  bool differs = false;
  for (std::size_t i = 0; i < a.winners.size() && i < c.winners.size(); ++i)
    differs |= a.winners[i].registrant != c.winners[i].registrant;
  EXPECT_TRUE(differs);
  std::vector<std::uint64_t> filled(slots.size());
  std::set<std::uint32_t> seen;
  for (auto& w : a.winners) {
    EXPECT_TRUE(seen.insert(w.registrant).second) << "an account won twice";
    filled[w.slot]++;
    if (!slots[w.slot].group.empty()) {
      EXPECT_EQ(r[w.registrant].groups, std::vector<std::string>{"club"});
    }
  }
  EXPECT_EQ(filled, (std::vector<std::uint64_t>{60, 60, 300, 100}));
  EXPECT_EQ(a.winners.size() + a.not_drawn, r.size());
  // The 80 club members not placed in club slots competed with everyone for the open ones.
  int club_in_open = 0;
  for (auto& w : a.winners) club_in_open += slots[w.slot].group.empty() && !r[w.registrant].groups.empty();
  EXPECT_GT(club_in_open, 0);
}

TEST(draw, fewer_registrants_than_places) {
  auto r = people(10, 2);
  auto res = run(r, {{"c", "club", 100}, {"a", "", 100}}, 9);
  EXPECT_EQ(res.winners.size(), 10u);
  EXPECT_EQ(res.not_drawn, 0u);
  auto empty = run({}, {{"a", "", 5}}, 9);
  EXPECT_TRUE(empty.winners.empty());
}

TEST(draw, duplicates_are_refused) {
  std::vector<registrant> r{{"b", {}}, {"a", {"z", "club", "club"}}, {"b", {}}};
  EXPECT_EQ(canonicalise(r), "b");
  EXPECT_EQ(r[0].account, "a");
  EXPECT_EQ(r[0].groups, (std::vector<std::string>{"club", "z"}));
}

TEST(draw, every_registrant_has_the_same_chance_within_a_group) {
  // 12 club members for 3 club places; 12 others (and the 9 unplaced members) for 4 open
  // places. Over 3,000 seeds each club member wins a club place ~750 times: chi-square, 11 df.
  auto r = people(24, 2);
  const int seeds = 3000;
  std::vector<int> club_wins(r.size());
  for (int s = 0; s < seeds; ++s) {
    std::array<std::uint8_t, 32> k{};
    for (int b = 0; b < 4; ++b) k[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(s >> (8 * b));
    draw_stream st(k);
    for (auto& w : run_draw(r, {{"c", "club", 3}, {"a", "", 4}}, st).winners)
      if (w.slot == 0) club_wins[w.registrant]++;
  }
  double chi = 0, expected = seeds * 3.0 / 12;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r[i].groups.empty()) {
      EXPECT_EQ(club_wins[i], 0);
      continue;
    }
    chi += (club_wins[i] - expected) * (club_wins[i] - expected) / expected;
  }
  EXPECT_LT(chi, 31.26);  // p = 0.001, 11 degrees of freedom
}

}  // namespace
}  // namespace guichet
