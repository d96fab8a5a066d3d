// Proof of work: leading zero bits, solutions bound to the challenge and the account.
#include "core/pow.hpp"

#include <gtest/gtest.h>

#include "core/hmac.hpp"

namespace guichet {
namespace {

TEST(pow, leading_zero_bits) {
  std::uint8_t d[32] = {};
  EXPECT_EQ(pow::leading_zero_bits(d), 256u);
  d[0] = 0x80;
  EXPECT_EQ(pow::leading_zero_bits(d), 0u);
  d[0] = 0x01;
  EXPECT_EQ(pow::leading_zero_bits(d), 7u);
  d[0] = 0;
  d[2] = 0x10;
  EXPECT_EQ(pow::leading_zero_bits(d), 19u);
}

TEST(pow, a_solution_is_for_one_challenge_and_one_account) {
  const std::string c = "Zm9vYmFyYmF6cXV4MTIzNA";
  auto nonce = pow::solve(c, "fan-1", 16);
  // The same answer as the pages' JavaScript solver: node scripts/pow_solve.js <c> fan-1 16
  EXPECT_EQ(nonce, "76341");
  EXPECT_TRUE(pow::verify(c, "fan-1", nonce, 16).ok);
  EXPECT_FALSE(pow::verify(c, "fan-2", nonce, 16).ok);
  EXPECT_FALSE(pow::verify("Zm9vYmFyYmF6cXV4MTIzNQ", "fan-1", nonce, 16).ok);
  EXPECT_FALSE(pow::verify(c, "fan-1", "", 0).ok) << "a proof has a nonce";
  EXPECT_FALSE(pow::verify(c, "fan-1", std::string(65, '1'), 0).ok) << "nonces are at most 64 bytes";
  EXPECT_FALSE(pow::verify(std::string(65, 'A'), "fan-1", "1", 0).ok) << "challenges are short";
  // The digest names the proof: same proof, same name; another nonce, another name.
  EXPECT_EQ(pow::verify(c, "fan-1", nonce, 16).digest_hex, pow::verify(c, "fan-1", nonce, 16).digest_hex);
  EXPECT_EQ(pow::verify(c, "fan-1", nonce, 16).digest_hex.size(), 32u);
  auto later = pow::solve(c, "fan-1", 16, std::stoull(nonce) + 1);
  EXPECT_NE(later, nonce);
  EXPECT_NE(pow::verify(c, "fan-1", later, 16).digest_hex, pow::verify(c, "fan-1", nonce, 16).digest_hex);
}

TEST(pow, challenges_differ_by_room_and_window_and_are_stable) {
  hmac_sha256 key("token-key-0123456789abcdef");
  auto a = pow::challenge(key, "ed", "packs", 100);
  EXPECT_EQ(a.size(), 22u);
  EXPECT_EQ(a, pow::challenge(key, "ed", "packs", 100));
  EXPECT_NE(a, pow::challenge(key, "ed", "packs", 101));
  EXPECT_NE(a, pow::challenge(key, "ed", "single", 100));
  hmac_sha256 other("another-key-0123456789abcd");
  EXPECT_NE(a, pow::challenge(other, "ed", "packs", 100));
  EXPECT_EQ(pow::window_of(pow::window_ms * 7 + 5), 7);
}

}  // namespace
}  // namespace guichet
