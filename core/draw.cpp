#include "core/draw.hpp"

#include "core/digest.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <numeric>

namespace guichet {

std::uint64_t draw_stream::next() {
  if (used_ == 4) {
    std::array<std::uint8_t, 40> in{};
    std::copy(seed_.begin(), seed_.end(), in.begin());
    for (int b = 0; b < 8; ++b) in[32 + b] = static_cast<std::uint8_t>(counter_ >> (56 - 8 * b));
    unsigned len = 0;
    EVP_Digest(in.data(), in.size(), block_.data(), &len, EVP_sha256(), nullptr);
    ++counter_;
    used_ = 0;
  }
  std::uint64_t w = 0;
  for (int b = 0; b < 8; ++b) w = (w << 8) | block_[static_cast<std::size_t>(used_ * 8 + b)];
  ++used_;
  return w;
}

std::uint64_t draw_stream::below(std::uint64_t n) {
  // Accept x < 2^64 - (2^64 mod n), a multiple of n; (0 - n) % n is 2^64 mod n in uint64.
  const std::uint64_t reject = (0 - n) % n;
  for (;;) {
    std::uint64_t x = next();
    if (reject == 0 || x < 0 - reject) return x % n;
  }
}

std::string canonicalise(std::vector<registrant>& regs) {
  for (auto& r : regs) {
    std::sort(r.groups.begin(), r.groups.end());
    r.groups.erase(std::unique(r.groups.begin(), r.groups.end()), r.groups.end());
  }
  std::sort(regs.begin(), regs.end(), [](const registrant& a, const registrant& b) { return a.account < b.account; });
  for (std::size_t i = 1; i < regs.size(); ++i)
    if (regs[i].account == regs[i - 1].account) return regs[i].account;
  return {};
}

namespace {

void shuffle(std::vector<std::uint32_t>& v, draw_stream& s) {
  for (std::size_t i = v.size(); i-- > 1;) std::swap(v[i], v[s.below(i + 1)]);
}

}  // namespace

draw_result run_draw(const std::vector<registrant>& regs, const std::vector<draw_slot>& slots, draw_stream& stream) {
  draw_result out;
  std::vector<bool> placed(regs.size());
  auto fill = [&](std::vector<std::uint32_t>& pool, const std::string& group) {
    shuffle(pool, stream);
    std::size_t k = 0;
    for (std::uint32_t si = 0; si < slots.size(); ++si) {
      if (slots[si].group != group) continue;
      for (std::uint64_t c = 0; c < slots[si].capacity && k < pool.size(); ++c, ++k) {
        out.winners.push_back({pool[k], si});
        placed[pool[k]] = true;
      }
    }
  };
  std::vector<std::string> groups;
  for (auto& s : slots)
    if (!s.group.empty()) groups.push_back(s.group);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  std::vector<std::uint32_t> pool;
  for (auto& g : groups) {
    pool.clear();
    for (std::uint32_t i = 0; i < regs.size(); ++i)
      if (!placed[i] && std::binary_search(regs[i].groups.begin(), regs[i].groups.end(), g)) pool.push_back(i);
    fill(pool, g);
  }
  pool.clear();
  for (std::uint32_t i = 0; i < regs.size(); ++i)
    if (!placed[i]) pool.push_back(i);
  fill(pool, "");
  out.not_drawn = regs.size() - out.winners.size();
  return out;
}

std::string registrants_tsv(const std::vector<registrant>& regs) {
  std::string out;
  out.reserve(regs.size() * 16);
  for (auto& r : regs) {
    out += r.account;
    out += '\t';
    for (std::size_t i = 0; i < r.groups.size(); ++i) {
      if (i) out += ',';
      out += r.groups[i];
    }
    out += '\n';
  }
  return out;
}

std::string iso8601(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string winners_csv(const std::vector<registrant>& regs, const std::vector<slot_config>& slots,
                        const draw_result& result) {
  std::string out = "account,slot,slot_start,slot_end,rank\n";
  out.reserve(out.size() + result.winners.size() * 64);
  std::vector<std::string> start, end;
  for (auto& s : slots) start.push_back(iso8601(s.start_ms)), end.push_back(iso8601(s.end_ms()));
  std::uint64_t rank = 0;
  for (auto& w : result.winners) {
    out += regs[w.registrant].account;
    out += ',';
    out += slots[w.slot].id;
    out += ',';
    out += start[w.slot];
    out += ',';
    out += end[w.slot];
    out += ',';
    out += std::to_string(++rank);
    out += '\n';
  }
  return out;
}

bool parse_seed(std::string_view hex, std::array<std::uint8_t, 32>& out) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, out[i], 16);
    if (ec != std::errc{} || p != hex.data() + 2 * i + 2) return false;
  }
  return true;
}

}  // namespace guichet
