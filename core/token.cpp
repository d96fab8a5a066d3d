#include "core/token.hpp"

#include <charconv>

#include "core/append_int.hpp"
#include "core/base64url.hpp"

namespace guichet {
namespace {

constexpr std::size_t kTagBytes = 16;

// Fields are short: a plain loop beats a memchr call per field.
template <std::size_t N>
bool split(std::string_view s, std::array<std::string_view, N>& out, std::size_t& n) {
  n = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '|') continue;
    if (n + 1 >= N) return false;  // more fields than any token has
    out[n++] = s.substr(start, i - start);
    start = i + 1;
  }
  out[n++] = s.substr(start);
  return true;
}

// Appends "|<v>": no temporary strings.
template <class Int>
  requires std::is_integral_v<Int>
void field(std::string& out, Int v) {
  out += '|';
  append_int(out, v);
}

void field(std::string& out, std::string_view v) {
  out += '|';
  out += v;
}

template <class Int>
bool to_int(std::string_view s, Int& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

}  // namespace

namespace {
constexpr std::array<bool, 256> make_id_chars() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '@' || c == ':' || c == '-';
  return t;
}
constexpr auto kIdChars = make_id_chars();  // a table, not isalnum: no locale, no call
}  // namespace

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id)
    if (!kIdChars[c]) return false;
  return true;
}

token_keyring::token_keyring(const std::vector<token_key>& keys) {
  for (auto& k : keys) keys_.push_back({k.id, k.retire_ms, std::make_unique<hmac_sha256>(k.secret)});
}

std::string token_keyring::seal(std::string_view payload) {
  auto tag = keys_.front().mac->sign(payload);
  std::string out;
  out.reserve((payload.size() * 4 + 2) / 3 + 1 + (kTagBytes * 4 + 2) / 3);
  append_base64url(out, payload);
  out += '.';
  append_base64url(out, std::string_view(reinterpret_cast<const char*>(tag.data()), kTagBytes));
  return out;
}

// The payload is built in one reused string per thread (a keyring is per thread anyway): the
// token is the only allocation of a signature.
template <class... Fields>
std::string_view payload(char type, std::string_view kid, const Fields&... fields) {
  thread_local std::string p;
  p.clear();
  p += type;
  p += '|';
  p += kid;
  (field(p, fields), ...);
  return p;
}

std::string token_keyring::sign(const queue_claims& c) {
  return seal(payload('q', keys_.front().id, c.edition, c.phase, c.slot, std::string_view(&c.kind, 1), c.number,
                      c.account, c.exp_ms));
}

std::string token_keyring::sign(const access_claims& c) {
  return seal(payload('a', keys_.front().id, c.edition, c.phase, c.account, c.session, c.exp_ms));
}

errc token_keyring::open(std::string_view token, char type, std::int64_t now_ms, fields& out,
                         payload_buffer& payload) {
  if (token.size() > kMaxToken) return errc::token_malformed;
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return errc::token_malformed;
  const auto tag_text = token.substr(dot + 1);
  if (tag_text.size() != (kTagBytes * 4 + 2) / 3) return errc::token_malformed;
  char tag[kTagBytes + 2];
  auto p = base64url_decode_to(token.substr(0, dot), payload.data());
  auto t = base64url_decode_to(tag_text, tag);
  if (!p || !t || *t != kTagBytes) return errc::token_malformed;
  const std::string_view text(payload.data(), *p), mac(tag, kTagBytes);
  std::array<std::string_view, 12> all;
  std::size_t n = 0;
  if (!split(text, all, n) || n < 2 || all[0].size() != 1) return errc::token_malformed;
  const entry* key = nullptr;
  for (auto& k : keys_)
    if (k.id == all[1]) key = &k;
  if (!key || (key->retire_ms && now_ms >= key->retire_ms)) return errc::token_signature;
  if (!key->mac->verify(text, mac)) return errc::token_signature;
  // Only now, with the MAC checked, is the content trusted.
  if (all[0][0] != type) return errc::token_scope;
  out.n = n - 2;
  std::copy(all.begin() + 2, all.begin() + n, out.f.begin());
  return errc::ok;
}

token_result<queue_claims_view> token_keyring::verify_queue(std::string_view token, std::int64_t now_ms,
                                                            payload_buffer& payload) {
  token_result<queue_claims_view> r;
  fields fs;
  if ((r.error = open(token, 'q', now_ms, fs, payload)) != errc::ok) return r;
  const auto& f = fs.f;
  if (fs.n != 7 || f[3].size() != 1 || !to_int(f[4], r.claims.number) || !to_int(f[6], r.claims.exp_ms)) {
    r.error = errc::token_malformed;
    return r;
  }
  r.claims.edition = f[0];
  r.claims.phase = f[1];
  r.claims.slot = f[2];
  r.claims.kind = f[3][0];
  r.claims.account = f[5];
  if (now_ms >= r.claims.exp_ms) r.error = errc::token_expired;
  return r;
}

token_result<queue_claims> token_keyring::verify_queue(std::string_view token, std::int64_t now_ms) {
  payload_buffer payload;
  auto v = verify_queue(token, now_ms, payload);
  const auto& c = v.claims;
  return {v.error, {std::string(c.edition), std::string(c.phase), std::string(c.slot), std::string(c.account), c.kind,
                    c.number, c.exp_ms}};
}

token_result<access_claims> token_keyring::verify_access(std::string_view token, std::int64_t now_ms) {
  token_result<access_claims> r;
  fields fs;
  payload_buffer payload;
  if ((r.error = open(token, 'a', now_ms, fs, payload)) != errc::ok) return r;
  const auto& f = fs.f;
  if (fs.n != 5 || !to_int(f[4], r.claims.exp_ms)) {
    r.error = errc::token_malformed;
    return r;
  }
  r.claims.edition = f[0];
  r.claims.phase = f[1];
  r.claims.account = f[2];
  r.claims.session = f[3];
  if (now_ms >= r.claims.exp_ms) r.error = errc::token_expired;
  return r;
}

}  // namespace guichet
