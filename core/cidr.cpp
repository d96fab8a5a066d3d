#include "core/cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <charconv>
#include <string>

namespace guichet {

std::optional<ip_bytes> parse_ip(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  ip_bytes out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

std::string format_ip(const ip_bytes& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(ip.begin(), ip.begin() + 12, mapped)) inet_ntop(AF_INET, ip.data() + 12, buf, sizeof buf);
  else inet_ntop(AF_INET6, ip.data(), buf, sizeof buf);
  return buf;
}

namespace {
// Bytes [at, at + 8) of an address as one big-endian number, so that a prefix is its high bits.
std::uint64_t word(const ip_bytes& ip, std::size_t at) {
  std::uint64_t w;
  std::memcpy(&w, ip.data() + at, 8);
  return __builtin_bswap64(w);
}
// The high `bits` bits set (of 64), clamped to [0, 64].
std::uint64_t high_bits(int bits) { return bits <= 0 ? 0 : bits >= 64 ? ~std::uint64_t{0} : ~std::uint64_t{0} << (64 - bits); }
}  // namespace

// Two 64-bit comparisons: the door asks this of every request (is the peer a trusted proxy?).
bool cidr::contains(const ip_bytes& ip) const {
  return ((word(ip, 0) ^ word(net, 0)) & high_bits(prefix)) == 0 && ((word(ip, 8) ^ word(net, 8)) & high_bits(prefix - 64)) == 0;
}

std::optional<cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  int len = v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    auto rest = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
    if (ec != std::errc{} || end != rest.data() + rest.size() || len < 0 || len > (v4 ? 32 : 128))
      return std::nullopt;
  }
  return cidr{*ip, v4 ? len + 96 : len};
}

ip_bytes client_address(const ip_bytes& peer, std::string_view xff, const std::vector<cidr>& trusted) {
  auto is_trusted = [&](const ip_bytes& a) {
    return std::any_of(trusted.begin(), trusted.end(), [&](const cidr& c) { return c.contains(a); });
  };
  if (!is_trusted(peer)) return peer;
  ip_bytes client = peer;
  while (!xff.empty()) {
    auto comma = xff.rfind(',');
    auto hop = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
    xff = comma == std::string_view::npos ? std::string_view{} : xff.substr(0, comma);
    auto ip = parse_ip(hop);
    if (!ip) return client;  // garbage: stop at the last address we could trust
    client = *ip;
    if (!is_trusted(client)) return client;
  }
  return client;
}

}  // namespace guichet
