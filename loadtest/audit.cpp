#include "loadtest/audit.hpp"

#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

#include "core/checkout.hpp"
#include "core/keys.hpp"

namespace guichet::loadtest {
namespace {

std::int64_t to_int(std::string_view s, bool& ok) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  ok = ec == std::errc() && p == s.data() + s.size();
  return v;
}

using hash = std::unordered_map<std::string, std::string>;

hash to_hash(const redisReply* r) {
  hash h;
  if (r && r->type == REDIS_REPLY_ARRAY)
    for (std::size_t i = 0; i + 1 < r->elements; i += 2)
      h.emplace(std::string(r->element[i]->str, r->element[i]->len), std::string(r->element[i + 1]->str, r->element[i + 1]->len));
  return h;
}

// HGETALL of many keys, pipelined.
std::vector<hash> hgetall(redis::blocking_client& redis, const std::vector<std::string>& keys) {
  for (auto& k : keys) redis.append({"HGETALL", k});
  std::vector<hash> out;
  out.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) out.push_back(to_hash(redis.read().get()));
  return out;
}

struct tally {
  std::int64_t held = 0, sold = 0;
};

struct account_tally {
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> per_session;
};

// One edition's audit: what is read from Redis once (draw results, hold records) and each
// invariant's check over it, in the order of audit.hpp.
class edition_audit {
 public:
  edition_audit(redis::blocking_client& r, const edition_config& ed_config) : redis(r), e(ed_config), ed(ed_config.id) {}
  audit_report run(const std::vector<sale>* ledger) {
    read_draws();
    read_holds();
    check_inventory();
    check_accounts();
    check_expiry_queue();
    check_rooms();
    if (ledger) check_ledger(*ledger);
    return std::move(rep);
  }

 private:
  void read_draws() {
    // Draw results of the edition's draw phases: account -> slot.
    for (auto& p : e.phases)
      if (p.draw) {
        auto& m = drawn[p.id];
        if (!redis.hscan(keys::draw(ed, p.id), [&](std::string_view a, std::string_view s) { m.emplace(a, s); }))
          rep.violate("cannot read " + keys::draw(ed, p.id));
      }
  }

  void read_holds() {
    // Hold records.
    const std::string hold_prefix = keys::hold(ed, "");
    bool scanned = redis.scan(hold_prefix + "*", [&](const std::vector<std::string>& page) {
      auto records = hgetall(redis, page);
      for (std::size_t i = 0; i < page.size(); ++i) {
        const std::string id = page[i].substr(hold_prefix.size());
        auto& h = records[i];
        const std::string& status = h["status"];
        const std::string& account = h["account"];
        ++by_status[status];
        const phase_config* phase = e.find_phase(h["phase"]);
        auto items = decode_items(h["items"]);
        if (!phase || items.empty() || account.empty()) {
          rep.violate("hold " + id + ": malformed record (phase '" + h["phase"] + "', items '" + h["items"] + "')");
          continue;
        }
        if (status != "held" && status != "confirmed" && status != "released" && status != "expired")
          rep.violate("hold " + id + ": unknown status '" + status + "'");
        std::set<std::string> sessions;
        for (auto& it : items) sessions.insert(it.session);
        if (phase->rules == phase_rules::packs && (sessions.size() != 3 || items.size() < 3))
          rep.violate("hold " + id + ": a pack with " + std::to_string(sessions.size()) + " sessions (must be exactly 3)");
        if (phase->draw && !drawn[phase->id].contains(account))
          rep.violate("hold " + id + ": account " + account + " was not drawn for phase " + phase->id);
        if (status == "held") held_ids.insert(id);
        if (status == "confirmed") confirmed.emplace(id, h);
        if (status != "held" && status != "confirmed") continue;
        auto& acct = by_account[account];
        for (auto& it : items) {
          auto& t = by_item[{it.session, it.category}];
          (status == "held" ? t.held : t.sold) += it.quantity;
          acct.total += it.quantity;
          acct.per_session[it.session] += it.quantity;
        }
      }
    });
    if (!scanned) rep.violate("cannot scan " + hold_prefix + "*");
    std::uint64_t holds = 0;
    for (auto& [status, n] : by_status) {
      holds += n;
      rep.fact("holds " + (status.empty() ? std::string("(no status)") : status), n);
    }
    rep.fact("holds read", holds);
  }

  void check_inventory() {
    // 1. Inventory: a + h + s = c per session and category, and h, s equal the hold records.
    std::int64_t cap_total = 0, avail_total = 0, held_total = 0, sold_total = 0;
    std::size_t categories = 0;
    std::vector<std::string> inv_keys;
    for (auto& s : e.sessions) inv_keys.push_back(keys::inventory(ed, s.id));
    auto inv = hgetall(redis, inv_keys);
    for (std::size_t k = 0; k < e.sessions.size(); ++k) {
      auto& s = e.sessions[k];
      auto& h = inv[k];
      if (h.empty()) {
        for (auto& [cat, cap] : s.categories)
          if (by_item.count({s.id, cat})) rep.violate(inv_keys[k] + ": missing, yet holds name " + s.id + "/" + cat);
        continue;
      }
      for (auto& [field, value] : h) {
        auto cat = field.size() > 2 ? field.substr(2) : std::string();
        if (!s.has_category(cat)) rep.violate(inv_keys[k] + ": field " + field + " for a category not in config");
      }
      for (auto& [cat, cap] : s.categories) {
        ++categories;
        std::int64_t v[4];
        const char* names[4] = {"c:", "a:", "h:", "s:"};
        for (int i = 0; i < 4; ++i) {
          v[i] = to_int(h[names[i] + cat], ok);
          if (!ok) rep.violate(inv_keys[k] + ": " + names[i] + cat + " is '" + h[names[i] + cat] + "', not a number");
        }
        auto [c, a, held, sold] = std::tuple(v[0], v[1], v[2], v[3]);
        std::string where = s.id + "/" + cat + " (c=" + std::to_string(c) + " a=" + std::to_string(a) +
                            " h=" + std::to_string(held) + " s=" + std::to_string(sold) + ")";
        if (a < 0 || held < 0 || sold < 0) rep.violate(where + ": a negative count");
        if (a + held + sold != c) rep.violate(where + ": available + held + sold != capacity");
        if (c != static_cast<std::int64_t>(cap))
          rep.violate(where + ": capacity differs from the configured " + std::to_string(cap));
        auto t = by_item[{s.id, cat}];
        if (held != t.held) rep.violate(where + ": held != " + std::to_string(t.held) + " in held hold records");
        if (sold != t.sold) rep.violate(where + ": sold != " + std::to_string(t.sold) + " in confirmed hold records");
        cap_total += c, avail_total += a, held_total += held, sold_total += sold;
      }
    }
    rep.fact("session categories checked", categories);
    rep.fact("capacity", static_cast<std::uint64_t>(cap_total));
    rep.fact("available", static_cast<std::uint64_t>(std::max<std::int64_t>(avail_total, 0)));
    rep.fact("held", static_cast<std::uint64_t>(std::max<std::int64_t>(held_total, 0)));
    rep.fact("sold", static_cast<std::uint64_t>(std::max<std::int64_t>(sold_total, 0)));
  }

  void check_accounts() {
    // 2. Accounts: stored totals equal the live holds and sales, within the limits.
    const std::string acct_prefix = keys::account(ed, "");
    std::uint64_t accounts = 0;
    std::int64_t most = 0;
    std::set<std::string> seen_accounts;
    bool scanned = redis.scan(acct_prefix + "*", [&](const std::vector<std::string>& page) {
      auto records = hgetall(redis, page);
      for (std::size_t i = 0; i < page.size(); ++i) {
        ++accounts;
        std::string account = page[i].substr(acct_prefix.size());
        seen_accounts.insert(account);
        auto& want = by_account[account];
        for (auto& [field, value] : records[i]) {
          std::int64_t n = to_int(value, ok);
          if (!ok || n < 0) {
            rep.violate(page[i] + ": " + field + " = '" + value + "'");
            continue;
          }
          if (field == "total") {
            most = std::max(most, n);
            if (n > static_cast<std::int64_t>(e.limits.per_account))
              rep.violate("account " + account + ": " + std::to_string(n) + " tickets, over the edition limit of " +
                          std::to_string(e.limits.per_account));
            if (n != want.total)
              rep.violate("account " + account + ": total " + std::to_string(n) + " but its live holds and sales make " +
                          std::to_string(want.total));
          } else if (field.starts_with("s:")) {
            std::string sid = field.substr(2);
            const session_config* sc = e.find_session(sid);
            if (!sc) {
              rep.violate("account " + account + ": tickets for unknown session " + sid);
              continue;
            }
            auto limit = static_cast<std::int64_t>(session_limit(e, *sc));
            if (n > limit)
              rep.violate("account " + account + ": " + std::to_string(n) + " tickets for " + sid + ", over its limit of " +
                          std::to_string(limit));
            if (n != want.per_session[sid])
              rep.violate("account " + account + ": " + sid + " = " + std::to_string(n) + " but its holds make " +
                          std::to_string(want.per_session[sid]));
          }
        }
      }
    });
    if (!scanned) rep.violate("cannot scan " + acct_prefix + "*");
    for (auto& [account, t] : by_account)
      if (t.total > 0 && !seen_accounts.contains(account))
        rep.violate("account " + account + ": holds and sales of " + std::to_string(t.total) + " tickets but no account record");
    rep.fact("accounts checked", accounts);
    rep.fact("most tickets on one account", static_cast<std::uint64_t>(most));
  }

  void check_expiry_queue() {
    // 4. The reaper's queue holds exactly the held holds.
    std::set<std::string> queued;
    if (auto z = redis.command({"ZRANGE", keys::hold_deadlines(ed), "0", "-1"}); z && z->type == REDIS_REPLY_ARRAY)
      for (std::size_t i = 0; i < z->elements; ++i) queued.emplace(z->element[i]->str, z->element[i]->len);
    for (auto& id : held_ids)
      if (!queued.contains(id)) rep.violate("hold " + id + ": held but not on the expiry queue (it would never expire)");
    for (auto& id : queued)
      if (!held_ids.contains(id)) rep.violate("hold " + id + ": on the expiry queue but not held");
  }

  void check_rooms() {
    // 4. Rooms: admissions within the serving counter; places and shoppers are draw winners.
    std::uint64_t places = 0;
    for (auto& p : e.phases) {
      auto room = redis.command({"HMGET", keys::room(ed, p.id), "serving", "admitted"});
      if (room && room->type == REDIS_REPLY_ARRAY && room->elements == 2 && room->element[0]->type == REDIS_REPLY_STRING) {
        std::int64_t serving = to_int(room->element[0]->str, ok);
        std::int64_t admitted = room->element[1]->type == REDIS_REPLY_STRING ? to_int(room->element[1]->str, ok) : 0;
        if (admitted > serving)
          rep.violate("room " + p.id + ": " + std::to_string(admitted) + " admitted but the serving counter is only " +
                      std::to_string(serving));
      }
      if (!p.draw) continue;
      auto& winners = drawn[p.id];
      redis.hscan(keys::places(ed, p.id), [&](std::string_view account, std::string_view place) {
        ++places;
        auto it = winners.find(std::string(account));
        auto b1 = place.find('|'), b2 = place.rfind('|');
        std::string_view slot = b1 < b2 ? place.substr(b1 + 1, b2 - b1 - 1) : std::string_view{};
        if (it == winners.end())
          rep.violate("room " + p.id + ": " + std::string(account) + " has a place but was not drawn");
        else if (it->second != slot)
          rep.violate("room " + p.id + ": " + std::string(account) + " queued in slot " + std::string(slot) +
                      ", drawn into " + it->second);
      });
      redis.hscan(keys::sessions(ed, p.id), [&](std::string_view account, std::string_view) {
        if (!winners.contains(std::string(account)))
          rep.violate("room " + p.id + ": " + std::string(account) + " is shopping but was not drawn");
      });
    }
    rep.fact("queue places checked", places);
  }

  void check_ledger(const std::vector<sale>& ledger_sales) {
    // 5. Sold = the confirmations the payment back end received.
    std::set<std::string> in_ledger;
    for (auto& s : ledger_sales) {
      if (!in_ledger.insert(s.hold_id).second) {
        rep.violate("ledger: hold " + s.hold_id + " confirmed twice");
        continue;
      }
      auto it = confirmed.find(s.hold_id);
      if (it == confirmed.end()) {
        rep.violate("sale lost: hold " + s.hold_id + " was confirmed to the payment back end but is not sold in Redis");
        continue;
      }
      auto& h = it->second;
      if (h["account"] != s.account || h["items"] != s.items || h["payment_ref"] != s.payment_ref)
        rep.violate("hold " + s.hold_id + ": Redis has " + h["account"] + " " + h["items"] + " " + h["payment_ref"] +
                    ", the confirmation said " + s.account + " " + s.items + " " + s.payment_ref);
    }
    for (auto& [id, h] : confirmed)
      if (!in_ledger.contains(id)) rep.violate("hold " + id + ": sold in Redis but never confirmed by the payment back end");
    rep.fact("confirmations in the ledger", ledger_sales.size());
  }

  guichet::redis::blocking_client& redis;
  const edition_config& e;
  const std::string ed;
  audit_report rep;
  bool ok = true;  // the last to_int's verdict
  std::map<std::string, std::unordered_map<std::string, std::string>> drawn;  // phase -> account -> slot
  std::map<std::pair<std::string, std::string>, tally> by_item;                 // (session, category)
  std::unordered_map<std::string, account_tally> by_account;
  std::map<std::string, std::uint64_t> by_status;
  std::unordered_map<std::string, hash> confirmed;  // hold id -> record
  std::set<std::string> held_ids;
};

}  // namespace

void audit_report::violate(std::string what) {
  if (violations.size() < 100) violations.push_back(std::move(what));
  ++violation_count;
}

audit_report audit_edition(redis::blocking_client& redis, const edition_config& e, const std::vector<sale>* ledger) {
  return edition_audit(redis, e).run(ledger);
}

}  // namespace guichet::loadtest
