#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.hpp"
#include "core/secret.hpp"

namespace guichet {

using std::chrono::milliseconds;

enum class log_level { debug, info, warn, error };

/// [server]
struct server_config {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned threads = 0;  ///< 0 = one per core
  unsigned max_connections = 10'000;
  /// A separate listener for /metrics and /admin/* (and the probes): -1 = none, they are served
  /// on the public port; otherwise the public port answers them 404 (0 picks a free port).
  std::string ops_listen = "127.0.0.1";
  int ops_port = -1;
};

/// [limits] — sizes and the per-client-IP request budget (live-tunable).
struct limits_config {
  std::size_t header_bytes = 8 * 1024;
  std::size_t body_bytes = 16 * 1024;   ///< default body limit; routes may set a smaller one
  unsigned per_ip_rate = 0;             ///< requests per second per client IP; 0 = off
  unsigned per_ip_burst = 0;            ///< bucket size; 0 = same as rate
  /// The door (join and register): its own per-client budget, on by default. A client is an
  /// IPv4 address or an IPv6 /64 (one subscriber's prefix), behind trusted proxies only.
  unsigned door_per_ip_rate = 10;
  unsigned door_per_ip_burst = 30;
  unsigned account_inflight = 2;        ///< holds in flight at once per account (429 beyond)
  unsigned account_rate = 5;            ///< checkout requests per second per account; 0 = off
  unsigned account_burst = 10;
  milliseconds cap_memory{10'000};      ///< an account Redis found at its cap is refused locally this long
};

/// [timeouts]
struct timeouts_config {
  milliseconds header{5'000};
  milliseconds body{10'000};
  milliseconds idle{30'000};
  milliseconds write{10'000};
  milliseconds drain{10'000};
};

/// A Redis or Sentinel endpoint, "host:port" in config.
struct redis_address {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  bool operator==(const redis_address&) const = default;
};

/// Parses "host:port" (or "[v6]:port"); nullopt when malformed.
std::optional<redis_address> parse_redis_address(std::string_view text);

/// [redis]
struct redis_config {
  std::string host = "127.0.0.1";  ///< the primary, when no sentinels are configured
  std::uint16_t port = 6379;
  /// Production Redis is never open: AUTH with this ACL user (empty: the default user) and
  /// password ({ env = ... } or { file = ... }; empty: no AUTH) on every connection.
  std::string user;
  secret_ref password;
  /// Redis Sentinel: when set, the primary of `master` is asked of these, checked with ROLE, and
  /// followed across failovers (+switch-master); host/port are then unused.
  std::vector<redis_address> sentinels;
  std::string master = "guichet";  ///< the Sentinel master name
  std::string sentinel_user;         ///< ACL user for the sentinels (empty: default user)
  secret_ref sentinel_password;      ///< { env = ... } or { file = ... }; empty: no AUTH
  /// Acknowledged means replicated: every script that changes what is sold or owed is followed
  /// by WAIT replicas_ack replicas_timeout; fewer acknowledgements answer 503 outcome_unknown.
  unsigned replicas_ack = 0;
  milliseconds replicas_timeout{500};
  milliseconds command_timeout{1'000};
  unsigned max_inflight = 4'096;  ///< per connection; beyond it requests get 503 overloaded
  milliseconds reconnect_min{100};
  milliseconds reconnect_max{2'000};
};

/// [secrets] — references only; values are loaded at start-up from env or file.
struct secrets_config {
  secret_ref admin_key;
  secret_ref payment_key;  ///< the payment back end's service credential (confirm, release)
  secret_ref jwt_key;  ///< the organiser's HS256 key for fans' identity tokens
};

/// [identity] — the organiser's identity provider, which signs the fans' login JWTs: with the
/// HS256 key of [secrets] jwt_key, and/or RS256/ES256 keys published as a JWKS file.
struct identity_config {
  std::string jwks_file;  ///< JWK Set; reloaded on SIGHUP and when the file changes
  milliseconds watch{1'000};  ///< how often the file is checked for a change; 0 = on SIGHUP only
  std::string issuer;     ///< required `iss` when set
  std::string audience;   ///< required in `aud` when set
  milliseconds clock_skew{0};  ///< tolerance on exp and nbf (none unless configured)
};

/// [audit] — every admin call and ops command is recorded: in the edition's capped Redis stream
/// always, and as JSON lines in `file` when set.
struct audit_config {
  std::string file;  ///< appended to (created 0640); empty: the stream only
  unsigned stream_max = 100'000;  ///< entries kept per edition in Redis (XADD MAXLEN)
};

/// [web] — the fans' pages (register, wait, shop) and their static assets.
struct web_config {
  std::string root;  ///< directory holding pages/, static/ and i18n/ (relative to the working directory); empty: no pages
};

/// [demo] — stand-ins for the organiser's systems, for demos only.
struct demo_config {
  bool payment = false;  ///< POST /editions/{e}/holds/{id}/demo-payment: the owner confirms without paying
};

/// [[tokens.keys]] — guichet's own token signing keys; the first signs, all verify until retired.
struct token_key_config {
  std::string id;
  secret_ref secret;
  std::int64_t retire_ms = 0;  ///< 0 = never
};

/// A purchase timeslot of a phase. A phase without a draw has one slot open to every account.
struct slot_config {
  std::string id;
  std::int64_t start_ms = 0;  ///< Unix time, ms
  milliseconds duration{0};
  std::string group;  ///< priority group the slot is reserved for ("" = everyone)
  std::uint64_t capacity = 0;  ///< winners the draw puts in this slot
  std::int64_t end_ms() const { return start_ms + duration.count(); }
};

/// A session on sale (an event at a venue on a day), with capacity per price category.
struct session_config {
  std::string id;
  std::string name, sport, venue, date;
  bool ceremony = false;  ///< ceremonies have their own per-account limit
  std::vector<std::pair<std::string, std::uint64_t>> categories;  ///< category -> capacity
  bool has_category(std::string_view c) const {
    for (auto& [name, cap] : categories)
      if (name == c) return true;
    return false;
  }
};

/// Per-account limits of an edition, counting held + sold tickets across all its phases.
struct sales_limits {
  unsigned per_account = 30;
  unsigned per_session = 6;
  unsigned per_ceremony = 4;
  milliseconds hold_ttl{10 * 60'000};
};

enum class phase_rules { single, packs };

/// A sales phase: its waiting room and its rules.
struct phase_config {
  std::string id;
  phase_rules rules = phase_rules::single;  ///< packs: exactly 3 distinct sessions, all or nothing
  std::vector<std::string> excluded;        ///< sessions not on sale in this phase
  bool draw = false;                  ///< admit only accounts the draw picked, in their slot
  milliseconds pre_queue{30 * 60'000};  ///< joining this long before a slot opens: pre-queue
  unsigned admit_rate = 50;           ///< fans let in per second (live-tunable)
  unsigned max_active = 1000;         ///< ceiling of active shoppers (live-tunable)
  milliseconds shopper_idle{15 * 60'000};  ///< an active shopper silent this long expires
  milliseconds access_ttl{30 * 60'000};    ///< lifetime of an access token
  std::int64_t registration_opens_ms = 0;   ///< draw registration window (Unix ms; 0 = none)
  std::int64_t registration_closes_ms = 0;
  std::vector<slot_config> slots;
  const slot_config* find_slot(std::string_view id) const {
    for (auto& s : slots)
      if (s.id == id) return &s;
    return nullptr;
  }
};

/// An edition (an event: Olympics, Paralympics, a mass race): its phases. All of an edition's
/// Redis keys share the hash tag {id}.
struct edition_config {
  std::string id;
  std::string name;
  std::vector<phase_config> phases;
  std::vector<session_config> sessions;
  sales_limits limits;
  const session_config* find_session(std::string_view id) const {
    for (auto& s : sessions)
      if (s.id == id) return &s;
    return nullptr;
  }
  const phase_config* find_phase(std::string_view id) const {
    for (auto& p : phases)
      if (p.id == id) return &p;
    return nullptr;
  }
};

/// The whole configuration. Plain structs with typed defaults, loaded once and validated fully.
struct config {
  server_config server;
  limits_config limits;
  timeouts_config timeouts;
  redis_config redis;
  log_level log = log_level::info;
  std::vector<cidr> trusted_proxies;
  secrets_config secrets;
  identity_config identity;
  audit_config audit;
  web_config web;
  demo_config demo;
  std::vector<token_key_config> token_keys;
  milliseconds room_refresh{250};  ///< how often each worker refreshes its rooms' state
  /// [rooms] opening_grace: a slot's pre-queue block is entered this long after the opening at
  /// the earliest, so that its fans have learned the shuffle from the CDN-cached state.
  milliseconds opening_grace{3'000};
  /// [rooms] join_pow_bits: proof of work at the join (0 = off); a room's admin setting wins.
  unsigned join_pow_bits = 0;
  std::vector<edition_config> editions;
  const edition_config* find_edition(std::string_view id) const {
    for (auto& e : editions)
      if (e.id == id) return &e;
    return nullptr;
  }
  /// A phase's place among all editions' phases, in order (the row of its counters); `e` and `p`
  /// must come from this config, else the answer is past the end.
  std::size_t phase_index(const edition_config& e, const phase_config& p) const {
    std::size_t n = 0;
    for (auto& x : editions) {
      if (&x == &e) return n + static_cast<std::size_t>(&p - x.phases.data());
      n += x.phases.size();
    }
    return n;
  }
};

/// One problem found in a config file, with its position.
struct config_error {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string to_string() const;  ///< "file:line:col: message"
};

struct config_result {
  config value;
  std::vector<config_error> errors;  ///< empty when the config is valid
};

/// Parses and validates TOML text; reports every error (unknown keys, wrong types, bad values).
config_result parse_config(std::string_view toml_text, std::string_view file_name);

/// Reads and parses a file; an unreadable file is one error at line 0.
config_result load_config(const std::string& path);

std::string_view to_string(log_level l);

}  // namespace guichet
