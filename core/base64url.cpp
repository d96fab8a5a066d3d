#include "core/base64url.hpp"

#include <array>
#include <cstdint>

namespace guichet {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> r{};
  for (auto& v : r) v = -1;
  for (int i = 0; i < 64; ++i) r[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return r;
}
constexpr auto kReverse = make_reverse();
}  // namespace

std::string base64url_encode(std::string_view in) {
  std::string out;
  append_base64url(out, in);
  return out;
}

void append_base64url(std::string& out, std::string_view in) {
  const std::size_t at = out.size();
  out.resize(at + (in.size() * 4 + 2) / 3);
  char* o = out.data() + at;
  const auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (std::uint32_t(p[i]) << 16) | (std::uint32_t(p[i + 1]) << 8) | p[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (std::size_t rest = in.size() - i) {
    std::uint32_t v = std::uint32_t(p[i]) << 16;
    if (rest == 2) v |= std::uint32_t(p[i + 1]) << 8;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    if (rest == 2) *o++ = kAlphabet[(v >> 6) & 63];
  }
}

std::optional<std::size_t> base64url_decode_to(std::string_view in, char* out) {
  if (in.size() % 4 == 1) return std::nullopt;
  char* o = out;
  std::size_t i = 0;
  for (; i + 4 <= in.size(); i += 4) {  // four characters, three bytes
    const std::int8_t a = kReverse[static_cast<unsigned char>(in[i])], b = kReverse[static_cast<unsigned char>(in[i + 1])],
                      c = kReverse[static_cast<unsigned char>(in[i + 2])], d = kReverse[static_cast<unsigned char>(in[i + 3])];
    if ((a | b | c | d) < 0) return std::nullopt;
    const std::uint32_t v = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) | (std::uint32_t(c) << 6) | std::uint32_t(d);
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xff);
    *o++ = static_cast<char>(v & 0xff);
  }
  std::uint32_t acc = 0;
  int bits = 0;
  for (; i < in.size(); ++i) {
    auto v = kReverse[static_cast<unsigned char>(in[i])];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (acc & ((1u << bits) - 1)) return std::nullopt;  // non-canonical trailing bits
  return static_cast<std::size_t>(o - out);
}

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string out(in.size() * 3 / 4, '\0');
  auto n = base64url_decode_to(in, out.data());
  if (!n) return std::nullopt;
  out.resize(*n);
  return out;
}

}  // namespace guichet
