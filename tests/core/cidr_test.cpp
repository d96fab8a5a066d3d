#include "core/cidr.hpp"

#include <gtest/gtest.h>

namespace guichet {
namespace {

ip_bytes ip(std::string_view s) { return *parse_ip(s); }

TEST(cidr, parses_and_matches) {
  auto ten = *parse_cidr("10.0.0.0/8");
  EXPECT_TRUE(ten.contains(ip("10.1.2.3")));
  EXPECT_FALSE(ten.contains(ip("11.0.0.1")));
  auto host = *parse_cidr("192.168.1.7");
  EXPECT_TRUE(host.contains(ip("192.168.1.7")));
  EXPECT_FALSE(host.contains(ip("192.168.1.8")));
  auto v6 = *parse_cidr("2001:db8::/32");
  EXPECT_TRUE(v6.contains(ip("2001:db8::1")));
  EXPECT_FALSE(v6.contains(ip("2001:db9::1")));
  EXPECT_FALSE(v6.contains(ip("10.0.0.1")));
  for (auto bad : {"", "10.0.0.0/33", "10.0.0/8", "::1/129", "x", "10.0.0.0/-1", "10.0.0.0/8x"})
    EXPECT_FALSE(parse_cidr(bad)) << bad;
}

// Every prefix length, against the definition (the first `prefix` bits equal), with the one
// differing bit on each side of the prefix's end: word boundaries (64) and odd lengths included.
TEST(cidr, matches_exactly_the_first_prefix_bits_at_every_length) {
  const ip_bytes net = ip("2001:db8:85a3:8d3:1319:8a2e:370:7348");
  auto bit_of = [](const ip_bytes& a, int i) { return (a[i / 8] >> (7 - i % 8)) & 1; };
  for (int prefix = 0; prefix <= 128; ++prefix) {
    const cidr c{net, prefix};
    EXPECT_TRUE(c.contains(net)) << prefix;
    for (int flip = 0; flip < 128; ++flip) {
      ip_bytes other = net;
      other[flip / 8] ^= static_cast<std::uint8_t>(0x80 >> (flip % 8));
      ASSERT_NE(bit_of(other, flip), bit_of(net, flip));
      EXPECT_EQ(c.contains(other), flip >= prefix) << "prefix " << prefix << ", bit " << flip << " differs";
    }
  }
  auto v4 = *parse_cidr("192.168.16.0/20");  // 116 bits of the 16-byte form
  EXPECT_TRUE(v4.contains(ip("192.168.31.255")));
  EXPECT_FALSE(v4.contains(ip("192.168.32.0")));
  EXPECT_FALSE(v4.contains(ip("::ffff:c0a9:1000")));  // 192.169.16.0, mapped
}

TEST(cidr, client_address_walks_trusted_hops) {
  std::vector<cidr> trusted{*parse_cidr("10.0.0.0/8"), *parse_cidr("127.0.0.1")};
  // An untrusted peer's header is ignored: it could say anything.
  EXPECT_EQ(client_address(ip("1.2.3.4"), "9.9.9.9", trusted), ip("1.2.3.4"));
  // From a trusted proxy: the rightmost untrusted address.
  EXPECT_EQ(client_address(ip("127.0.0.1"), "6.6.6.6, 5.5.5.5, 10.0.0.2", trusted), ip("5.5.5.5"));
  // No header: the proxy itself.
  EXPECT_EQ(client_address(ip("127.0.0.1"), "", trusted), ip("127.0.0.1"));
  // Garbage stops the walk at the last trusted address.
  EXPECT_EQ(client_address(ip("127.0.0.1"), "5.5.5.5, junk", trusted), ip("127.0.0.1"));
}

}  // namespace
}  // namespace guichet
