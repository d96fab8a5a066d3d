// Client addresses: IP and CIDR parsing, and the X-Forwarded-For walk behind trusted proxies.
// The client found is always either the peer or an address written in the header.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/cidr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto ip = guichet::parse_ip(in)) {
    auto again = guichet::parse_ip(guichet::format_ip(*ip));
    if (!again || *again != *ip) __builtin_trap();
    (void)guichet::client_prefix_bytes(*ip);
  }
  if (auto c = guichet::parse_cidr(in)) {
    if (c->prefix > 128) __builtin_trap();
    (void)c->contains(c->net);
  }
  static const std::vector<guichet::cidr> trusted{*guichet::parse_cidr("10.0.0.0/8"), *guichet::parse_cidr("::1/128"),
                                                  *guichet::parse_cidr("2001:db8::/32")};
  const auto peer = *guichet::parse_ip("10.1.2.3");
  auto client = guichet::client_address(peer, in, trusted);
  if (client != peer) {
    auto text = guichet::format_ip(client);
    (void)text;
  }
  return 0;
}
