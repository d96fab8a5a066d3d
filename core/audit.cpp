#include "core/audit.hpp"

#include "core/digest.hpp"
#include "core/json_escape.hpp"

namespace guichet {

namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += name;
  out += "\":\"";
  append_json_escaped(out, value);
  out += '"';
}

// before/after are JSON built by guichet itself (or cjson in the script); anything else is
// kept as a string rather than spliced in.
void object(std::string& out, std::string_view name, std::string_view json) {
  if (json.empty() || json.front() != '{' || json.back() != '}') return field(out, name, json);
  out += ",\"";
  out += name;
  out += "\":";
  out += json;
}

}  // namespace

std::string audit_entry::json() const {
  std::string out = "{\"ts\":" + std::to_string(ts_ms);
  field(out, "who", who);
  field(out, "what", what);
  field(out, "edition", edition);
  field(out, "phase", phase);
  object(out, "before", before.empty() ? "{}" : before);
  object(out, "after", after.empty() ? "{}" : after);
  field(out, "from", from);
  return out + "}";
}

audit_entry audit_entry::from_fields(std::span<const std::string> flat) {
  audit_entry e;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
    const std::string& k = flat[i];
    const std::string& v = flat[i + 1];
    if (k == "ts") e.ts_ms = std::strtoll(v.c_str(), nullptr, 10);
    else if (k == "who") e.who = v;
    else if (k == "what") e.what = v;
    else if (k == "edition") e.edition = v;
    else if (k == "phase") e.phase = v;
    else if (k == "before") e.before = v;
    else if (k == "after") e.after = v;
    else if (k == "from") e.from = v;
  }
  return e;
}

std::string admin_key_id(std::string_view admin_key) { return sha256_hex(admin_key).substr(0, 8); }

}  // namespace guichet
