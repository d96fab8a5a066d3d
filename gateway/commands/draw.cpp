#include "gateway/commands/draw.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/csv.hpp"
#include "core/draw.hpp"
#include "core/keys.hpp"
#include "core/token.hpp"
#include "core/json_escape.hpp"
#include "core/json_writer.hpp"
#include "gateway/commands/record_command.hpp"
#include "gateway/redis/blocking_client.hpp"

namespace guichet::commands {
namespace {

const phase_config* draw_phase(const config& cfg, const std::string& ed, const std::string& ph, std::ostream& out) {
  const edition_config* e = cfg.find_edition(ed);
  const phase_config* p = e ? e->find_phase(ph) : nullptr;
  if (!p) out << "no phase '" << ph << "' in edition '" << ed << "' in the config\n";
  else if (!p->draw) out << "phase '" << ph << "' has no draw (draw = false)\n";
  return p && p->draw ? p : nullptr;
}

std::string seed_commitment(const std::array<std::uint8_t, 32>& seed) {
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  while (true) {
    auto i = s.find(sep);
    out.emplace_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

}  // namespace

int draw_commit(const config& cfg, const std::string& ed, const std::string& ph, std::ostream& out) {
  if (!draw_phase(cfg, ed, ph, out)) return 1;
  redis::blocking_client redis(cfg.redis);
  if (!redis.ok()) return out << redis.error() << "\n", 2;
  std::array<std::uint8_t, 32> seed{};
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) return out << "no randomness\n", 2;
  std::string commitment = seed_commitment(seed);
  auto r = redis.command({"HSETNX", keys::draw_meta(ed, ph), "commitment", commitment});
  if (!r || r->type != REDIS_REPLY_INTEGER) return out << "redis error\n", 2;
  if (r->integer == 0) {
    auto existing = redis.command({"HGET", keys::draw_meta(ed, ph), "commitment"});
    out << "refused: this draw already has a commitment (" << (existing && existing->str ? existing->str : "?")
        << "); draw with the seed that matches it\n";
    return 1;
  }
  if (auto problem = record_command(cfg, redis, {.what = "draw.commit", .edition = ed, .phase = ph,
                                                 .before = R"({"commitment":null})",
                                                 .after = "{\"commitment\":" + json_quoted(commitment) + "}"});
      !problem.empty())
    return out << problem << "\n", 2;
  if (auto w = redis.wait_replicas(cfg.redis); !w.empty()) return out << "redis: " << w << "\n", 2;
  out << "seed (secret until the draw): " << to_hex(seed.data(), seed.size()) << "\n"
      << "commitment (publish now):     " << commitment << "\n";
  return 0;
}

namespace {

// The draw's audit.json: what anyone needs to check it (tools/verify_draw.py).
std::string draw_audit_json(const std::string& ed, const std::string& ph, const phase_config& p,
                            const std::string& commitment, const std::string& seed_hex, std::size_t registrants,
                            const std::string& reg_sha, const draw_result& result, const std::string& result_sha) {
  json_writer j;
  j.open('{').kv("algorithm", "guichet-draw-v1").kv("edition", ed).kv("phase", ph).kv("commitment", commitment);
  j.kv("seed", seed_hex).kv("registrants", static_cast<std::uint64_t>(registrants)).kv("registrants_sha256", reg_sha);
  j.kv("winners", static_cast<std::uint64_t>(result.winners.size())).kv("not_drawn", static_cast<std::uint64_t>(result.not_drawn));
  j.kv("result_sha256", result_sha).key("slots").open('[');
  for (const slot_config& s : p.slots)
    j.open('{').kv("id", s.id).kv("group", s.group).kv("capacity", static_cast<std::uint64_t>(s.capacity)).kv("start", iso8601(s.start_ms))
        .kv("end", iso8601(s.end_ms())).close('}');
  j.close(']').close('}');
  std::string audit = j.take() + "\n";
  return audit;
}

// The account -> slot hash, in pipelined batches of 1,000 (each HSET atomic), with progress.
bool write_assignments(redis::blocking_client& redis, const std::string& draw_key, const std::vector<registrant>& regs,
                       const phase_config& p, const draw_result& result, std::ostream& out) {
  const std::size_t batch = 1000;
  std::size_t sent = 0, next_report = result.winners.size() / 10;
  for (std::size_t i = 0; i < result.winners.size(); i += batch) {
    std::vector<std::string> cmd{"HSET", draw_key};
    for (std::size_t k = i; k < std::min(i + batch, result.winners.size()); ++k)
      cmd.insert(cmd.end(), {regs[result.winners[k].registrant].account, p.slots[result.winners[k].slot].id});
    redis.append(cmd);
    ++sent;
    if (sent % 64 == 0 || i + batch >= result.winners.size()) {
      for (; sent > 0; --sent) {
        auto r = redis.read();
        if (!r || r->type == REDIS_REPLY_ERROR) return false;
      }
    }
    if (next_report && i + batch >= next_report) {
      out << "  written " << std::min(i + batch, result.winners.size()) << " / " << result.winners.size() << "\n";
      next_report += result.winners.size() / 10;
    }
  }
  return true;
}

}  // namespace

int draw_run(const config& cfg, const std::string& ed, const std::string& ph, const std::string& seed_hex,
             const std::string& out_dir, std::ostream& out) {
  const phase_config* p = draw_phase(cfg, ed, ph, out);
  if (!p) return 1;
  std::array<std::uint8_t, 32> seed{};
  if (!parse_seed(seed_hex, seed)) return out << "refused: the seed must be 64 hex characters\n", 1;
  redis::blocking_client redis(cfg.redis);
  if (!redis.ok()) return out << redis.error() << "\n", 2;
  const std::string meta = keys::draw_meta(ed, ph);
  auto commitment = redis.command({"HGET", meta, "commitment"});
  if (!commitment || commitment->type != REDIS_REPLY_STRING)
    return out << "refused: no commitment was published for this draw (run --draw-commit first)\n", 1;
  if (seed_commitment(seed) != commitment->str)
    return out << "refused: this seed does not match the published commitment " << commitment->str << "\n", 1;

  auto t0 = std::chrono::steady_clock::now();
  auto secs = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  std::vector<registrant> regs;
  bool read = redis.hscan(keys::registrations(ed, ph), [&](std::string_view account, std::string_view groups) {
    regs.push_back({std::string(account), split(groups, ',')});
  });
  if (!read) return out << "redis error reading registrations\n", 2;
  if (auto dup = canonicalise(regs); !dup.empty()) return out << "registration listed twice: " << dup << "\n", 2;
  out << "registrants: " << regs.size() << " read in " << secs() << " s\n";

  std::vector<draw_slot> slots;
  for (auto& s : p->slots) slots.push_back({s.id, s.group, s.capacity});
  draw_stream stream(seed);
  auto result = run_draw(regs, slots, stream);
  std::string tsv = registrants_tsv(regs), csv = winners_csv(regs, p->slots, result);
  std::string reg_sha = sha256_hex(tsv), result_sha = sha256_hex(csv);
  out << "drawn: " << result.winners.size() << " winners, " << result.not_drawn << " not drawn, in " << secs() << " s\n";

  std::string audit = draw_audit_json(ed, ph, *p, commitment->str, seed_hex, regs.size(), reg_sha, result, result_sha);
  std::filesystem::create_directories(out_dir);
  std::ofstream(out_dir + "/registrants.tsv", std::ios::binary) << tsv;
  std::ofstream(out_dir + "/winners.csv", std::ios::binary) << csv;
  std::ofstream(out_dir + "/audit.json", std::ios::binary) << audit;
  out << "wrote " << out_dir << "/registrants.tsv, winners.csv, audit.json\n";

  auto previous = redis.command({"HGET", meta, "result_sha256"});
  if (previous && previous->type == REDIS_REPLY_STRING) {
    if (previous->str == result_sha) return out << "already drawn with this very result: Redis left as it is\n", 0;
    return out << "refused: a different result (" << previous->str << ") is already recorded for this draw\n", 1;
  }
  auto w0 = std::chrono::steady_clock::now();
  if (!write_assignments(redis, keys::draw(ed, ph), regs, *p, result, out)) return out << "redis error writing the draw\n", 2;
  double wsecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  redis.command({"HSET", meta, "seed", seed_hex, "registrants", std::to_string(regs.size()), "registrants_sha256", reg_sha,
                 "winners", std::to_string(result.winners.size()), "result_sha256", result_sha});
  if (auto problem = record_command(cfg, redis, {.what = "draw.run", .edition = ed, .phase = ph,
                                                 .before = R"({"result_sha256":null})",
                                                 .after = "{\"seed\":" + json_quoted(seed_hex) + ",\"winners\":" +
                                                          std::to_string(result.winners.size()) +
                                                          ",\"result_sha256\":" + json_quoted(result_sha) + "}"});
      !problem.empty())
    return out << problem << "\n", 2;
  if (auto w = redis.wait_replicas(cfg.redis); !w.empty()) return out << "redis: " << w << "\n", 2;
  out << "redis: " << result.winners.size() << " assignments in " << wsecs << " s ("
      << (wsecs > 0 ? static_cast<long long>(result.winners.size() / wsecs) : 0) << " keys/s)\n";
  return 0;
}

int import_registrations(const config& cfg, const std::string& ed, const std::string& ph, const std::string& file,
                         std::ostream& out) {
  if (!draw_phase(cfg, ed, ph, out)) return 1;
  std::ifstream in(file, std::ios::binary);
  if (!in) return out << file << ": cannot open\n", 1;
  std::ostringstream text;
  text << in.rdbuf();
  auto csv = parse_csv(text.str());
  std::vector<std::pair<std::string, std::string>> rows;
  std::map<std::string, int> first_line;
  std::vector<std::pair<int, std::string>> errors;
  for (auto& e : csv.errors) errors.emplace_back(e.line, e.reason);
  for (std::size_t r = 0; r < csv.records.size(); ++r) {
    auto& cols = csv.records[r].fields;
    int n = csv.records[r].line;
    if (r == 0 && cols == std::vector<std::string>{"account", "groups"}) continue;  // the header
    auto bad = [&](const std::string& why) { errors.emplace_back(n, why); };
    if (cols.size() != 2) {
      bad("expected 2 columns (account,groups), found " + std::to_string(cols.size()));
      continue;
    }
    if (!valid_id(cols[0])) {
      bad("bad account id '" + cols[0] + "'");
      continue;
    }
    // Groups: separated by ';' (or ',' inside a quoted field); an empty field is no group.
    std::string list = cols[1];
    std::replace(list.begin(), list.end(), ',', ';');
    auto groups = split(list, ';');
    bool ok = true;
    for (auto& g : groups) ok = ok && valid_id(g);
    if (!ok) {
      bad("bad group list '" + cols[1] + "'");
      continue;
    }
    if (auto [it, fresh] = first_line.emplace(cols[0], n); !fresh) {
      bad("account '" + cols[0] + "' already on line " + std::to_string(it->second));
      continue;
    }
    std::sort(groups.begin(), groups.end());
    std::string joined;
    for (auto& g : groups) joined += (joined.empty() ? "" : ",") + g;
    rows.emplace_back(cols[0], joined);
  }
  std::sort(errors.begin(), errors.end());
  if (!errors.empty()) {
    for (auto& [line, why] : errors) out << file << ":" << line << ": " << why << "\n";
    out << errors.size() << " bad rows: nothing imported\n";
    return 1;
  }
  redis::blocking_client redis(cfg.redis);
  if (!redis.ok()) return out << redis.error() << "\n", 2;
  const std::string key = keys::registrations(ed, ph);
  auto count = [&] {
    auto n = redis.command({"HLEN", key});
    return n && n->type == REDIS_REPLY_INTEGER ? n->integer : -1;
  };
  const long long before = count();
  std::size_t added = 0;
  for (std::size_t i = 0; i < rows.size(); i += 512) {
    std::size_t end = std::min(i + 512, rows.size());
    for (std::size_t k = i; k < end; ++k) redis.append({"HSETNX", key, rows[k].first, rows[k].second});
    for (std::size_t k = i; k < end; ++k) {
      auto r = redis.read();
      if (!r || r->type != REDIS_REPLY_INTEGER) return out << "redis error importing\n", 2;
      added += static_cast<std::size_t>(r->integer);
    }
  }
  if (auto problem = record_command(cfg, redis, {.what = "registrations.import", .edition = ed, .phase = ph,
                                                 .before = "{\"registrations\":" + std::to_string(before) + "}",
                                                 .after = "{\"registrations\":" + std::to_string(count()) +
                                                          ",\"rows\":" + std::to_string(rows.size()) +
                                                          ",\"new\":" + std::to_string(added) + "}"});
      !problem.empty())
    return out << problem << "\n", 2;
  if (auto w = redis.wait_replicas(cfg.redis); !w.empty()) return out << "redis: " << w << "\n", 2;
  out << "imported " << rows.size() << " rows: " << added << " new, " << rows.size() - added << " already registered\n";
  return 0;
}

}  // namespace guichet::commands
