#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace guichet {

/// One audited action: an admin call or an ops command (inventory load, draw, import). Kept as
/// a JSON line in the audit file and as the same fields in the edition's capped Redis stream.
struct audit_entry {
  std::int64_t ts_ms = 0;
  std::string who;      ///< "admin:<key id>" or "cli:<unix user>"
  std::string what;     ///< "room.update", "inventory.load", "draw.commit", "draw.run", "registrations.import"
  std::string edition, phase;
  std::string before;   ///< JSON (an object), "{}" when nothing was there
  std::string after;    ///< JSON (an object)
  std::string from;     ///< the client IP of an admin call, the host of a command

  /// {"ts":…,"who":…,"what":…,"edition":…,"phase":…,"before":{…},"after":{…},"from":…}
  std::string json() const;
  /// The same, read back from the stream's flat field/value list (what the script returns).
  static audit_entry from_fields(std::span<const std::string> flat);
};

/// The admin key's id in the audit trail: the first 8 hex digits of its SHA-256, which names the
/// key (and changes when it is rotated) without revealing it.
std::string admin_key_id(std::string_view admin_key);

}  // namespace guichet
