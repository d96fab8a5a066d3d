#include "core/token.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/base64url.hpp"
#include "core/jwt.hpp"
#include "tests/support/jwt_mint.hpp"

namespace guichet {
namespace {

const std::int64_t now = 1'700'000'000'000;

queue_claims sample() { return {"paris2024", "packs", "club-1", "acct-42", 'p', 17, now + 60'000}; }

TEST(base64url, round_trip_and_rejects_garbage) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  for (auto bad : {"a", "ab=c", "ab+c", "a b", "abcde", "AB"}) EXPECT_FALSE(base64url_decode(bad)) << bad;
}

TEST(token, queue_round_trip) {
  token_keyring k({{"k1", "0123456789abcdef0123", 0}});
  auto t = k.sign(sample());
  auto v = k.verify_queue(t, now);
  ASSERT_TRUE(v) << static_cast<int>(v.error);
  EXPECT_EQ(v.claims.edition, "paris2024");
  EXPECT_EQ(v.claims.slot, "club-1");
  EXPECT_EQ(v.claims.kind, 'p');
  EXPECT_EQ(v.claims.number, 17u);
  EXPECT_EQ(v.claims.account, "acct-42");
  // The payload is readable by the fan's page.
  EXPECT_EQ(*base64url_decode(t.substr(0, t.find('.'))), "q|k1|paris2024|packs|club-1|p|17|acct-42|" +
                                                           std::to_string(now + 60'000));
}

// What a poll uses: the claims as views into the caller's buffer, whatever the ids' length (an
// id past std::string's inline 15 characters would otherwise cost an allocation per poll).
TEST(token, queue_verified_into_a_buffer_gives_views_into_it) {
  token_keyring k({{"k1", "0123456789abcdef0123", 0}});
  const queue_claims c{"paris2024-olympics", "general-sale-phase", "club-members-1", std::string(64, 'a'), 'f', 123456,
                       now + 60'000};
  const auto t = k.sign(c);
  token_keyring::payload_buffer buf;
  auto v = k.verify_queue(t, now, buf);
  ASSERT_TRUE(v) << static_cast<int>(v.error);
  for (std::string_view f : {v.claims.edition, v.claims.phase, v.claims.slot, v.claims.account}) {
    EXPECT_GE(f.data(), buf.data()) << f;
    EXPECT_LE(f.data() + f.size(), buf.data() + buf.size()) << f;
  }
  EXPECT_EQ(v.claims.edition, c.edition);
  EXPECT_EQ(v.claims.phase, c.phase);
  EXPECT_EQ(v.claims.slot, c.slot);
  EXPECT_EQ(v.claims.account, c.account);
  EXPECT_EQ(v.claims.kind, 'f');
  EXPECT_EQ(v.claims.number, 123456u);
  EXPECT_EQ(v.claims.exp_ms, now + 60'000);
  // The same refusals as the copying overload.
  EXPECT_EQ(k.verify_queue(t, now + 60'000, buf).error, errc::token_expired);
  std::string forged = t;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(k.verify_queue(forged, now, buf).error, errc::token_signature);
}

TEST(token, access_round_trip_and_type_confusion) {
  token_keyring k({{"k1", "0123456789abcdef0123", 0}});
  auto a = k.sign(access_claims{"paris2024", "packs", "acct-42", "s1", now + 1000});
  auto v = k.verify_access(a, now);
  ASSERT_TRUE(v);
  EXPECT_EQ(v.claims.session, "s1");
  EXPECT_EQ(v.claims.exp_ms, now + 1000);
  // The layout every release of the fleet reads (a rolling deploy mixes them).
  EXPECT_EQ(*base64url_decode(a.substr(0, a.find('.'))), "a|k1|paris2024|packs|acct-42|s1|" + std::to_string(now + 1000));
  EXPECT_EQ(k.verify_queue(a, now).error, errc::token_scope);
  EXPECT_EQ(k.verify_access(k.sign(sample()), now).error, errc::token_scope);
}

TEST(token, tampering_is_detected) {
  token_keyring k({{"k1", "0123456789abcdef0123", 0}});
  auto t = k.sign(sample());
  auto payload = *base64url_decode(t.substr(0, t.find('.')));
  // Raise my own queue number... to the front.
  auto forged_payload = payload;
  forged_payload.replace(forged_payload.find("|17|"), 4, "|0|");
  auto forged = base64url_encode(forged_payload) + t.substr(t.find('.'));
  EXPECT_EQ(k.verify_queue(forged, now).error, errc::token_signature);
  // Flip every character of the tag in turn.
  for (std::size_t i = t.find('.') + 1; i < t.size(); ++i) {
    auto bad = t;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto e = k.verify_queue(bad, now).error;
    EXPECT_TRUE(e == errc::token_signature || e == errc::token_malformed) << i;
  }
  token_keyring other({{"k1", "another-key-0123456789", 0}});
  EXPECT_EQ(other.verify_queue(t, now).error, errc::token_signature);
}

TEST(token, expiry) {
  token_keyring k({{"k1", "0123456789abcdef0123", 0}});
  auto t = k.sign(sample());
  EXPECT_TRUE(k.verify_queue(t, now + 59'999));
  EXPECT_EQ(k.verify_queue(t, now + 60'000).error, errc::token_expired);
}

TEST(token, rotation_overlap) {
  token_keyring old_ring({{"k1", "old-key-0123456789abc", 0}});
  auto t = old_ring.sign(sample());
  // New key signs; the old one still verifies until it retires.
  token_keyring ring({{"k2", "new-key-0123456789abc", 0}, {"k1", "old-key-0123456789abc", now + 30'000}});
  EXPECT_TRUE(ring.verify_queue(t, now));
  EXPECT_EQ(ring.verify_queue(t, now + 30'000).error, errc::token_signature);
  auto fresh = ring.sign(sample());
  EXPECT_NE(fresh.find('.'), std::string::npos);
  EXPECT_TRUE(ring.verify_queue(fresh, now + 40'000));
  EXPECT_EQ(old_ring.verify_queue(fresh, now).error, errc::token_signature);  // unknown key id
}

TEST(token, random_garbage_never_verifies_or_crashes) {
  token_keyring k({{"k1", "0123456789abcdef0123", 0}});
  std::mt19937 rng(7);
  const std::string alphabet = "ABCxyz019-_.|=+/ ";
  for (int i = 0; i < 20'000; ++i) {
    std::string s(rng() % 80, ' ');
    for (auto& ch : s) ch = alphabet[rng() % alphabet.size()];
    EXPECT_FALSE(k.verify_queue(s, now));
    EXPECT_FALSE(k.verify_access(s, now));
  }
  EXPECT_EQ(k.verify_queue(std::string(5000, 'A'), now).error, errc::token_malformed);
}

TEST(token, valid_ids) {
  for (auto ok : {"a", "acct-42", "fan@example.org", "club:1", "A_b.c"}) EXPECT_TRUE(valid_id(ok)) << ok;
  for (auto bad : {"", "a|b", "a b", "a\nb", "é", "{x}"}) EXPECT_FALSE(valid_id(bad)) << bad;
  EXPECT_FALSE(valid_id(std::string(65, 'a')));
}

const std::string jwt_key = "organiser-secret-0123456789";
const std::int64_t now_s = now / 1000;

TEST(jwt, accepts_a_valid_token_with_groups) {
  jwt_verifier v(jwt_key);
  auto r = v.verify(sign_jwt(jwt_key, test::claims("fan-1", now_s + 60, R"(,"groups":["club"],"nbf":1)")), now);
  ASSERT_TRUE(r) << static_cast<int>(r.error);
  EXPECT_EQ(r.id.account, "fan-1");
  ASSERT_EQ(r.id.groups.size(), 1u);
  EXPECT_EQ(r.id.groups[0], "club");
}

TEST(jwt, refuses_forgeries_with_distinct_codes) {
  jwt_verifier v(jwt_key);
  auto good = test::claims("fan-1", now_s + 60);
  // alg none, with and without a signature
  auto none_header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  EXPECT_EQ(v.verify(none_header + "." + base64url_encode(good) + ".", now).error, errc::token_alg);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, good, R"({"alg":"none"})"), now).error, errc::token_alg);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, good, R"({"alg":"HS512"})"), now).error, errc::token_alg);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, good, R"({"alg":"RS256"})"), now).error, errc::token_alg);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, good, R"({"typ":"JWT"})"), now).error, errc::token_malformed);
  // Times that are not dates (found by fuzz/jwt_fuzz: the conversion overflowed).
  for (const char* bad : {R"({"sub":"fan-1","exp":1.9e27})", R"({"sub":"fan-1","exp":-5})",
                          R"({"sub":"fan-1","exp":4102444800,"nbf":1e300})"})
    EXPECT_EQ(v.verify(sign_jwt(jwt_key, bad), now).error, errc::token_malformed) << bad;
  // wrong key
  EXPECT_EQ(v.verify(sign_jwt("someone-elses-key-0123", good), now).error, errc::token_signature);
  // tampered payload: another account under the original signature
  auto t = sign_jwt(jwt_key, good);
  auto d1 = t.find('.'), d2 = t.rfind('.');
  auto tampered = t.substr(0, d1 + 1) + base64url_encode(test::claims("fan-2", now_s + 60)) + t.substr(d2);
  EXPECT_EQ(v.verify(tampered, now).error, errc::token_signature);
  // expired, not yet valid, missing claims, bad shapes
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, test::claims("fan-1", now_s - 1)), now).error, errc::token_expired);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, test::claims("fan-1", now_s + 60, R"(,"nbf":)" +
                                                                 std::to_string(now_s + 30))), now).error,
            errc::token_expired);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, R"({"sub":"fan-1"})"), now).error, errc::token_malformed);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, R"({"exp":9999999999})"), now).error, errc::token_malformed);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, test::claims("a|b", now_s + 60)), now).error, errc::token_malformed);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, "[1,2]"), now).error, errc::token_malformed);
  EXPECT_EQ(v.verify(sign_jwt(jwt_key, good, "not json"), now).error, errc::token_malformed);
  for (auto bad : {"", "a.b", "a.b.c.d", "...", "%%%.%%%.%%%"}) EXPECT_EQ(v.verify(bad, now).error, errc::token_malformed);
}

}  // namespace
}  // namespace guichet
