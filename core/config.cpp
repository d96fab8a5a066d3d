#include "core/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/config_reader.hpp"
#include "core/token.hpp"

namespace guichet {

std::string config_error::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::string_view to_string(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

std::optional<redis_address> parse_redis_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535) return std::nullopt;
  if (host.find_first_of(" \t/") != std::string_view::npos) return std::nullopt;
  return redis_address{std::string(host), static_cast<std::uint16_t>(p)};
}

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
constexpr milliseconds kDay{86'400'000};

void read_server(config_reader& r, server_config& s) {
  r.string("listen", s.listen);
  r.integer("port", s.port, 0, 65535);
  r.integer("threads", s.threads, 0, 1024);
  r.integer("max_connections", s.max_connections, 1, 10'000'000);
  r.parsed("ops_listen", "must be an IP address", [&](const std::string& v) {
    s.ops_listen = v;
    return parse_ip(v).has_value();
  });
  r.integer("ops_port", s.ops_port, 0, 65535);
}

void read_limits(config_reader& r, limits_config& l) {
  r.integer("header_bytes", l.header_bytes, 512, 1 << 20);
  r.integer("body_bytes", l.body_bytes, 0, 64 << 20);
  r.integer("per_ip_rate", l.per_ip_rate, 0, 10'000'000);
  r.integer("per_ip_burst", l.per_ip_burst, 0, 1'000'000);
  r.integer("door_per_ip_rate", l.door_per_ip_rate, 0, 10'000'000);
  r.integer("door_per_ip_burst", l.door_per_ip_burst, 0, 1'000'000);
  r.integer("account_inflight", l.account_inflight, 1, 1000);
  r.integer("account_rate", l.account_rate, 0, 1'000'000);
  r.integer("account_burst", l.account_burst, 0, 1'000'000);
  r.duration("cap_memory", l.cap_memory, milliseconds(0), hours(1));
}

void read_timeouts(config_reader& r, timeouts_config& t) {
  r.duration("header", t.header, milliseconds(1), kDay);
  r.duration("body", t.body, milliseconds(1), kDay);
  r.duration("idle", t.idle, milliseconds(1), kDay);
  r.duration("write", t.write, milliseconds(1), kDay);
  r.duration("drain", t.drain, milliseconds(0), kDay);
}

void read_redis(config_reader& r, redis_config& c) {
  // An IP address: a name lookup would block a worker's event loop (and a name that does not
  // resolve would leave the gateway silently unconnected).
  r.parsed("host", "must be an IP address such as \"127.0.0.1\" (host names are not resolved)",
           [&](const std::string& v) {
             c.host = v;
             return parse_ip(v).has_value();
           });
  r.integer("port", c.port, 1, 65535);
  r.string("user", c.user);
  r.secret("password", c.password);
  r.duration("command_timeout", c.command_timeout, milliseconds(1), minutes(10));
  r.integer("max_inflight", c.max_inflight, 1, 1'000'000);
  r.duration("reconnect_min", c.reconnect_min, milliseconds(1), minutes(10));
  r.duration("reconnect_max", c.reconnect_max, milliseconds(1), minutes(10));
  r.parsed_each("sentinels", "must list \"ip:port\" strings (host names are not resolved)", [&](const std::string& v) {
    auto a = parse_redis_address(v);
    if (a) c.sentinels.push_back(*a);
    return a && parse_ip(a->host);
  });
  r.string("master", c.master);
  r.string("sentinel_user", c.sentinel_user);
  r.secret("sentinel_password", c.sentinel_password);
  r.integer("replicas_ack", c.replicas_ack, 0, 64);
  r.duration("replicas_timeout", c.replicas_timeout, milliseconds(1), minutes(1));
}

void read_phase(config_reader& r, phase_config& p) {
  r.boolean("draw", p.draw);
  r.parsed("rules", "must be \"single\" or \"packs\"", [&](const std::string& v) {
    if (v == "packs") p.rules = phase_rules::packs;
    else if (v == "single") p.rules = phase_rules::single;
    else return false;
    return true;
  });
  r.parsed_each("excluded", "must list session ids", [&](const std::string& v) {
    p.excluded.push_back(v);
    return valid_id(v);
  });
  r.duration("pre_queue", p.pre_queue, milliseconds(0), kDay * 30);
  r.integer("admit_rate", p.admit_rate, 0, 1'000'000);
  r.integer("max_active", p.max_active, 1, 100'000'000);
  r.duration("shopper_idle", p.shopper_idle, milliseconds(1000), kDay);
  r.duration("access_ttl", p.access_ttl, milliseconds(1000), kDay);
  r.timestamp("registration_opens", p.registration_opens_ms);
  r.timestamp("registration_closes", p.registration_closes_ms);
  r.each_in_array("slots", [&](config_reader& s, const toml::node& n) {
    slot_config slot;
    s.string("id", slot.id);
    s.timestamp("start", slot.start_ms);
    s.duration("duration", slot.duration, milliseconds(1000), kDay * 366);
    s.string("group", slot.group);
    s.integer("capacity", slot.capacity, 0, 1000000000);
    if (!valid_id(slot.id)) r.error_at(n, "slot in '" + r.child("slots") + "' needs an id of [A-Za-z0-9_.@:-]");
    else if (p.find_slot(slot.id)) r.error_at(n, "slot id '" + slot.id + "' is used twice");
    if (slot.start_ms == 0 || slot.duration.count() == 0) r.error_at(n, "slot '" + slot.id + "' needs start and duration");
    if (!slot.group.empty() && !valid_id(slot.group)) r.error_at(n, "slot '" + slot.id + "' has a bad group name");
    p.slots.push_back(std::move(slot));
  });
}

void read_edition(config_reader& r, edition_config& e) {
  r.string("name", e.name);
  if (auto* t = r.table("limits")) {
    config_reader l(t, r.child("limits"), r.file(), r.errors());
    l.integer("per_account", e.limits.per_account, 1, 10000);
    l.integer("per_session", e.limits.per_session, 1, 10000);
    l.integer("per_ceremony", e.limits.per_ceremony, 1, 10000);
    l.duration("hold_ttl", e.limits.hold_ttl, milliseconds(1000), kDay);
  }
  r.each_table("sessions", [&](std::string_view id, config_reader& sr, const toml::node& n) {
    session_config s;
    s.id = id;
    if (!valid_id(s.id)) sr.error_at(n, "session id '" + s.id + "' must be [A-Za-z0-9_.@:-]");
    sr.string("name", s.name);
    sr.string("sport", s.sport);
    sr.string("venue", s.venue);
    sr.string("date", s.date);
    sr.boolean("ceremony", s.ceremony);
    if (auto* cats = sr.table("categories")) {
      for (auto&& [k, v] : *cats) {
        long long cap = v.is_integer() ? v.value_or(-1LL) : -1;  // (a float would convert unchecked)
        if (!valid_id(k.str()) || cap < 0 || cap > 100'000'000)
          sr.error_at(v, "category '" + std::string(k.str()) + "' of session '" + s.id +
                             "' needs a capacity from 0 to 100000000");
        else
          s.categories.emplace_back(std::string(k.str()), static_cast<std::uint64_t>(cap));
      }
    }
    if (s.categories.empty()) sr.error_at(n, "session '" + s.id + "' needs categories = { NAME = capacity, ... }");
    e.sessions.push_back(std::move(s));
  });
  r.each_table("phases", [&](std::string_view id, config_reader& pr, const toml::node& n) {
    phase_config p;
    p.id = id;
    if (!valid_id(p.id)) pr.error_at(n, "phase id '" + p.id + "' must be [A-Za-z0-9_.@:-]");
    read_phase(pr, p);
    if (p.slots.empty()) pr.error_at(n, "phase '" + p.id + "' needs at least one slot");
    if (!p.draw && p.slots.size() > 1) pr.error_at(n, "phase '" + p.id + "' has no draw: it takes exactly one slot");
    e.phases.push_back(std::move(p));
  });
  for (auto& p : e.phases)
    for (auto& x : p.excluded)
      if (!e.find_session(x))
        r.errors().push_back({std::string(r.file()), 0, 0,
                              "phase '" + p.id + "' of edition '" + e.id + "' excludes unknown session '" + x + "'"});
}

template <class F>
void section(config_reader& top, std::string_view key, F&& read) {
  if (auto* t = top.table(key)) {
    config_reader r(t, top.child(key), top.file(), top.errors());
    read(r);
  }
}

void read_log(config_reader& r, log_level& level) {
  r.parsed("level", "must be debug, info, warn or error", [&](const std::string& v) {
    for (auto l : {log_level::debug, log_level::info, log_level::warn, log_level::error})
      if (v == to_string(l)) return level = l, true;
    return false;
  });
}

void read_proxy(config_reader& r, std::vector<cidr>& trusted) {
  r.parsed_each("trusted", "must hold address ranges such as \"10.0.0.0/8\"", [&](const std::string& v) {
    auto range = parse_cidr(v);
    if (range) trusted.push_back(*range);
    return range.has_value();
  });
}

void read_secrets(config_reader& r, secrets_config& s) {
  r.secret("admin_key", s.admin_key);
  r.secret("jwt_key", s.jwt_key);
  r.secret("payment_key", s.payment_key);
}

void read_identity(config_reader& r, identity_config& id) {
  r.file_ref("jwks", id.jwks_file);
  r.duration("watch", id.watch, milliseconds(0), hours(1));
  r.string("issuer", id.issuer);
  r.string("audience", id.audience);
  r.duration("clock_skew", id.clock_skew, milliseconds(0), minutes(10));
}

void read_audit(config_reader& r, audit_config& a) {
  r.string("file", a.file);
  r.integer("stream_max", a.stream_max, 1, 100'000'000);
}

void read_token_keys(config_reader& r, std::vector<token_key_config>& keys) {
  r.each_in_array("keys", [&](config_reader& k, const toml::node& n) {
    token_key_config key;
    k.string("id", key.id);
    bool one_source = k.secret_fields(key.secret);
    k.timestamp("retire", key.retire_ms);
    bool alnum = !key.id.empty() && key.id.size() <= 16 &&
                 std::all_of(key.id.begin(), key.id.end(), [](unsigned char ch) { return std::isalnum(ch); });
    if (!alnum) k.error_at(n, "token key needs an id of 1-16 letters or digits");
    if (!one_source) k.error_at(n, "token key '" + key.id + "' needs exactly one of env, file or credential");
    keys.push_back(std::move(key));
  });
}

void read_rooms(config_reader& r, config& c) {
  r.duration("refresh", c.room_refresh, milliseconds(10), seconds(10));
  r.duration("opening_grace", c.opening_grace, milliseconds(0), minutes(1));
  r.integer("join_pow_bits", c.join_pow_bits, 0, 32);
}

// Every section of the file into `c` (errors collected by the reader).
void read_sections(config_reader& top, config& c) {
  section(top, "server", [&](config_reader& r) { read_server(r, c.server); });
  section(top, "limits", [&](config_reader& r) { read_limits(r, c.limits); });
  section(top, "timeouts", [&](config_reader& r) { read_timeouts(r, c.timeouts); });
  section(top, "redis", [&](config_reader& r) { read_redis(r, c.redis); });
  section(top, "log", [&](config_reader& r) { read_log(r, c.log); });
  section(top, "proxy", [&](config_reader& r) { read_proxy(r, c.trusted_proxies); });
  section(top, "secrets", [&](config_reader& r) { read_secrets(r, c.secrets); });
  section(top, "identity", [&](config_reader& r) { read_identity(r, c.identity); });
  section(top, "audit", [&](config_reader& r) { read_audit(r, c.audit); });
  section(top, "web", [&](config_reader& r) { r.string("root", c.web.root); });
  section(top, "demo", [&](config_reader& r) { r.boolean("payment", c.demo.payment); });
  section(top, "tokens", [&](config_reader& r) { read_token_keys(r, c.token_keys); });
  section(top, "rooms", [&](config_reader& r) { read_rooms(r, c); });
  top.each_table("editions", [&](std::string_view id, config_reader& er, const toml::node& n) {
    edition_config e;
    e.id = id;
    if (!valid_id(e.id)) er.error_at(n, "edition id '" + e.id + "' must be [A-Za-z0-9_.@:-]");
    read_edition(er, e);
    c.editions.push_back(std::move(e));
  });
}

// What no single key can say: the keys that only make sense together.
void check_together(const config& c, std::string_view file, std::vector<config_error>& errors) {
  if (!c.editions.empty() && (c.token_keys.empty() || (c.secrets.jwt_key.empty() && c.identity.jwks_file.empty())))
    errors.push_back({std::string(file), 0, 0, "editions need [tokens] keys and [secrets] jwt_key or [identity] jwks"});
  if (c.redis.replicas_ack > 0 && c.redis.replicas_timeout >= c.redis.command_timeout)
    errors.push_back({std::string(file), 0, 0,
                          "'redis.replicas_timeout' must be shorter than 'redis.command_timeout' (WAIT runs inside it)"});
  if (!c.redis.sentinels.empty() && !valid_id(c.redis.master))
    errors.push_back({std::string(file), 0, 0, "'redis.master' must name the Sentinel master ([A-Za-z0-9_.@:-])"});
  if (c.redis.reconnect_min > c.redis.reconnect_max)
    errors.push_back({std::string(file), 0, 0, "'redis.reconnect_min' exceeds 'redis.reconnect_max'"});
}

}  // namespace

config_result parse_config(std::string_view text, std::string_view file) {
  config_result out;
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    out.errors.push_back({std::string(file), static_cast<int>(e.source().begin.line),
                          static_cast<int>(e.source().begin.column), std::string(e.description())});
    return out;
  }
  config& c = out.value;
  {
    config_reader top(&root, "", file, out.errors);
    read_sections(top, c);
  }
  check_together(c, file, out.errors);
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const config_error& a, const config_error& b) { return a.line < b.line; });
  return out;
}

config_result load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    config_result out;
    out.errors.push_back({path, 0, 0, "cannot open config file"});
    return out;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace guichet
