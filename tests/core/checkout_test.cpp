#include "core/checkout.hpp"

#include <gtest/gtest.h>

namespace guichet {
namespace {

edition_config edition() {
  edition_config e;
  e.sessions = {{"A1", "", "", "", "", false, {{"X", 10}, {"Y", 10}}},
                {"B1", "", "", "", "", false, {{"X", 10}}},
                {"C1", "", "", "", "", true, {{"X", 10}}},
                {"D1", "", "", "", "", false, {{"X", 10}}}};
  return e;
}

TEST(checkout_rules, canonical_order_and_merge) {
  auto e = edition();
  phase_config p;
  std::vector<hold_item> items{{"B1", "X", 1}, {"A1", "Y", 2}, {"A1", "X", 1}, {"A1", "Y", 1}};
  ASSERT_EQ(check_hold(e, p, items).error, errc::ok);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(encode_items(items), "A1:X:1,A1:Y:3,B1:X:1");
  EXPECT_EQ(encode_items(decode_items(encode_items(items))), encode_items(items));
  std::vector<hold_item> shuffled{{"A1", "Y", 3}, {"B1", "X", 1}, {"A1", "X", 1}};
  check_hold(e, p, shuffled);
  EXPECT_EQ(hold_fingerprint("single", items), hold_fingerprint("single", shuffled));
  EXPECT_NE(hold_fingerprint("single", items), hold_fingerprint("packs", items));
}

TEST(checkout_rules, packs_limits_and_exclusions) {
  auto e = edition();
  phase_config packs;
  packs.rules = phase_rules::packs;
  packs.excluded = {"D1"};
  auto check = [&](std::vector<hold_item> items) { return check_hold(e, packs, items).error; };
  EXPECT_EQ(check({{"A1", "X", 1}, {"B1", "X", 1}, {"C1", "X", 1}}), errc::ok);
  EXPECT_EQ(check({{"A1", "X", 1}, {"B1", "X", 1}}), errc::pack_shape);
  EXPECT_EQ(check({{"A1", "X", 1}, {"B1", "X", 1}, {"D1", "X", 1}}), errc::excluded_session);
  EXPECT_EQ(check({{"A1", "X", 6}, {"B1", "X", 1}, {"C1", "X", 1}}), errc::ok);
  EXPECT_EQ(check({{"A1", "X", 4}, {"A1", "Y", 3}, {"B1", "X", 1}, {"C1", "X", 1}}), errc::limit_session);
  EXPECT_EQ(check({{"A1", "X", 1}, {"B1", "X", 1}, {"C1", "X", 5}}), errc::limit_ceremony);
  EXPECT_EQ(check({{"A1", "Z", 1}, {"B1", "X", 1}, {"C1", "X", 1}}), errc::unknown_category);
  EXPECT_EQ(check({{"Q1", "X", 1}, {"B1", "X", 1}, {"C1", "X", 1}}), errc::unknown_session);
  EXPECT_EQ(check({{"A1", "X", 0}, {"B1", "X", 1}, {"C1", "X", 1}}), errc::bad_quantity);
  EXPECT_EQ(check({}), errc::malformed_json);
}

}  // namespace
}  // namespace guichet

namespace guichet {
namespace {

TEST(checkout_rules, parses_hold_bodies_strictly) {
  std::vector<hold_item> items;
  ASSERT_TRUE(parse_hold_items(R"({"items":[{"session":"A1","category":"X","quantity":2},{"quantity":1,"category":"Y","session":"B1"}]})", items));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].session, "B1");
  EXPECT_EQ(items[1].quantity, 1u);
  for (const std::string& bad : std::vector<std::string>{R"({})", R"({"items":{}})", R"({"items":[{"session":"A1","category":"X"}]})",
                          R"({"items":[{"session":"A1","category":"X","quantity":-1}]})",
                          R"({"items":[{"session":"A1","category":"X","quantity":1.5}]})",
                          R"({"items":[{"session":"A|1","category":"X","quantity":1}]})",
                          R"({"items":[{"session":"A1","category":"X","quantity":1,"session":"B1"}]})",
                          R"({"items":[],"extra":1})", R"({"items":[]}x)", "", "[]", "null", std::string(100, '{')}) {
    items.clear();
    EXPECT_FALSE(parse_hold_items(bad, items)) << bad;
  }
}

}  // namespace
}  // namespace guichet
