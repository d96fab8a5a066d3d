#include "core/shopper_session.hpp"

#include <gtest/gtest.h>

using namespace guichet;

TEST(shopper_session, the_id_says_when_it_was_minted) {
  const std::int64_t now = 1'796'290'000'123;
  auto sid = mint_session_id(now, 0xfedcba9876543210ULL);
  EXPECT_EQ(sid, "1a23b3a34fbfedcba9876543210");
  EXPECT_EQ(session_minted_ms(sid), now);
  EXPECT_NE(mint_session_id(now, 1), mint_session_id(now, 2));
}

TEST(shopper_session, an_id_of_another_shape_says_nothing) {
  EXPECT_EQ(session_minted_ms("fedcba9876543210"), std::nullopt);  // an older release's: 16 random hex digits
  EXPECT_EQ(session_minted_ms(""), std::nullopt);
  EXPECT_EQ(session_minted_ms("1a23b3a34fbFEDCBA9876543210"), std::nullopt);  // upper case: not minted here
  EXPECT_EQ(session_minted_ms("1a23b3a34fbfedcba98765432g0"), std::nullopt);
  EXPECT_EQ(session_minted_ms("1a23b3a34fbfedcba98765432100"), std::nullopt);  // one digit too many
}
