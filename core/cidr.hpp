#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guichet {

/// An IPv4 or IPv6 address in 16 bytes (IPv4 as ::ffff:a.b.c.d).
using ip_bytes = std::array<std::uint8_t, 16>;

/// Parses a textual IPv4/IPv6 address.
std::optional<ip_bytes> parse_ip(std::string_view text);
/// The bytes that name one client for rate limits: the whole IPv4 address, or an IPv6 address's
/// /64 (a subscriber gets a whole /64 and can pick any address in it).
inline std::size_t client_prefix_bytes(const ip_bytes& ip) {
  static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  for (int i = 0; i < 12; ++i)
    if (ip[i] != mapped[i]) return 8;
  return 16;
}
/// "203.0.113.7" for an IPv4 (mapped) address, "2001:db8::1" otherwise.
std::string format_ip(const ip_bytes& ip);

/// A network range such as "10.0.0.0/8" or "::1/128".
struct cidr {
  ip_bytes net{};
  int prefix = 0;  // in bits over the 16-byte form
  bool contains(const ip_bytes& ip) const;
};

/// Parses "addr/len" (or a bare address as a host range).
std::optional<cidr> parse_cidr(std::string_view text);

/// The client address of a request: if the peer is a trusted proxy, walks X-Forwarded-For from
/// the right, skipping trusted hops, and returns the first untrusted one; otherwise the peer.
ip_bytes client_address(const ip_bytes& peer, std::string_view forwarded_for,
                        const std::vector<cidr>& trusted);

}  // namespace guichet
