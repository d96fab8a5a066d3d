#pragma once
#include <toml++/toml.h>

#include <chrono>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/duration.hpp"

namespace guichet {

/// Reads one TOML table into typed fields, recording every error with its position and, when
/// finished, every key it was not asked for. Missing keys keep their defaults.
class config_reader {
 public:
  config_reader(const toml::table* table, std::string path, std::string_view file,
                std::vector<config_error>& errors)
      : table_(table), path_(std::move(path)), file_(file), errors_(errors) {}
  config_reader(const config_reader&) = delete;
  ~config_reader() { report_unknown(); }

  template <class Int>
  void integer(std::string_view key, Int& out, long long min, long long max) {
    auto* n = find(key);
    if (!n) return;
    // Type first: toml++'s value<long long>() converts a float without a range check (undefined
    // for 8.7e81; found by fuzz/config_fuzz).
    if (!n->is_integer()) return error(*n, key, "must be an integer");
    auto v = n->value<long long>();
    if (!v) return error(*n, key, "must be an integer");
    if (*v < min || *v > max)
      return error(*n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    out = static_cast<Int>(*v);
  }

  void string(std::string_view key, std::string& out) {
    auto* n = find(key);
    if (!n) return;
    if (!n->is_string()) return error(*n, key, "must be a string");
    out = *n->value<std::string>();
  }

  void duration(std::string_view key, std::chrono::milliseconds& out, std::chrono::milliseconds min,
                std::chrono::milliseconds max) {
    auto* n = find(key);
    if (!n) return;
    auto d = n->is_string() ? parse_duration(*n->value<std::string>()) : std::nullopt;
    if (!d) return error(*n, key, "must be a duration string such as \"250ms\", \"5s\", \"48h\"");
    if (*d < min || *d > max) return error(*n, key, "is out of range");
    out = *d;
  }

  /// A string accepted only if `parse(value)` returns true; otherwise `what` is the error.
  template <class F>
  void parsed(std::string_view key, std::string_view what, F&& parse) {
    auto* n = find(key);
    if (!n) return;
    if (!n->is_string() || !parse(*n->value<std::string>())) error(*n, key, std::string(what));
  }

  /// An array whose every element is a string accepted by `parse`.
  template <class F>
  void parsed_each(std::string_view key, std::string_view what, F&& parse) {
    auto* n = find(key);
    if (!n) return;
    auto* arr = n->as_array();
    if (!arr) return error(*n, key, "must be an array");
    for (auto& e : *arr)
      if (!e.is_string() || !parse(*e.value<std::string>())) error(e, key, std::string(what));
  }

  /// A secret is a table { env = "NAME" }, { file = "/path" } or { credential = "name" } (systemd's
  /// $CREDENTIALS_DIRECTORY/name); an inline value is refused.
  void secret(std::string_view key, secret_ref& out) {
    auto* n = find(key);
    if (!n) return;
    if (!n->is_table())
      return error(*n, key, "must be { env = \"VAR\" }, { file = \"/path\" } or { credential = \"name\" }; "
                            "secrets are never inline");
    config_reader sub(n->as_table(), child(key), file_, errors_);
    if (!sub.secret_fields(out)) error(*n, key, "needs exactly one of env, file or credential");
  }

  /// The fields of a secret reference in this table (env, file, credential): true when exactly one
  /// is set and a credential's name is a plain file name.
  bool secret_fields(secret_ref& out) {
    string("env", out.env);
    string("file", out.file);
    string("credential", out.credential);
    if (!out.credential.empty() && !secret_ref::plain_name(out.credential)) return false;
    return out.sources() == 1;
  }

  /// A file the gateway watches and reloads: { file = "/path" } (same shape as a secret's).
  void file_ref(std::string_view key, std::string& out) {
    auto* n = find(key);
    if (!n) return;
    if (!n->is_table()) return error(*n, key, "must be { file = \"/path\" }");
    config_reader sub(n->as_table(), child(key), file_, errors_);
    sub.string("file", out);
    if (out.empty()) error(*n, key, "needs file = \"/path\"");
  }

  /// A TOML offset date-time (2023-02-15T10:00:00Z) as Unix milliseconds; or, for demos, a time
  /// relative to the day the config is read: "today" (00:00 UTC), "today+30d", "today-1d".
  void timestamp(std::string_view key, std::int64_t& out) {
    auto* n = find(key);
    if (!n) return;
    if (n->is_string()) {
      auto t = relative_day(*n->value<std::string>(), system_ms());
      if (!t) return error(*n, key, "must be a date-time with offset, or \"today\", \"today+30d\", \"today-1d\"");
      out = *t;
      return;
    }
    auto dt = n->value<toml::date_time>();
    if (!dt || !dt->offset) return error(*n, key, "must be a date-time with offset, such as 2023-02-15T10:00:00Z");
    const auto& d = dt->date;
    const auto& t = dt->time;
    // days_from_civil (Howard Hinnant)
    int y = d.year - (d.month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = static_cast<unsigned>(y - era * 400);
    unsigned doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097LL + doe - 719468;
    long long secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - dt->offset->minutes * 60LL;
    out = secs * 1000 + t.nanosecond / 1'000'000;
  }

  void boolean(std::string_view key, bool& out) {
    auto* n = find(key);
    if (!n) return;
    if (!n->is_boolean()) return error(*n, key, "must be true or false");
    out = *n->value<bool>();
  }

  /// Calls f(name, reader) for every sub-table of the table at `key` (tables keyed by id).
  template <class F>
  void each_table(std::string_view key, F&& f) {
    auto* t = table(key);
    if (!t) return;
    for (auto&& [k, v] : *t) {
      std::string name = child(key) + "." + std::string(k.str());
      if (!v.is_table()) {
        error(v, std::string(key) + "." + std::string(k.str()), "must be a table");
        continue;
      }
      config_reader r(v.as_table(), name, file_, errors_);
      f(std::string_view(k.str()), r, v);
    }
  }

  /// Calls f(reader, node) for every table in the array at `key` ([[x]] or [{...}, {...}]).
  template <class F>
  void each_in_array(std::string_view key, F&& f) {
    auto* n = find(key);
    if (!n) return;
    auto* arr = n->as_array();
    if (!arr) return error(*n, key, "must be an array of tables");
    std::size_t i = 0;
    for (auto& e : *arr) {
      std::string name = child(key) + "[" + std::to_string(i++) + "]";
      if (!e.is_table()) {
        error(e, key, "must hold tables");
        continue;
      }
      config_reader r(e.as_table(), name, file_, errors_);
      f(r, e);
    }
  }

  /// A nested table; a missing one reads as empty, a non-table is an error.
  const toml::table* table(std::string_view key) {
    auto* n = find(key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      error(*n, key, "must be a table");
      return nullptr;
    }
    return n->as_table();
  }

  /// Records an error at `n` whose message names `what` (a path built by the caller).
  void error_at(const toml::node& n, std::string message) {
    auto& src = n.source();
    errors_.push_back({std::string(file_), static_cast<int>(src.begin.line), static_cast<int>(src.begin.column),
                       std::move(message)});
  }

  std::string child(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  void error(const toml::node& n, std::string_view key, std::string message) {
    auto& src = n.source();
    errors_.push_back({std::string(file_), static_cast<int>(src.begin.line),
                       static_cast<int>(src.begin.column), "'" + child(key) + "' " + message});
  }

  std::string_view file() const { return file_; }
  std::vector<config_error>& errors() { return errors_; }

 private:
  const toml::node* find(std::string_view key) {
    seen_.insert(std::string(key));
    return table_ ? table_->get(key) : nullptr;
  }

  void report_unknown() {
    if (!table_) return;
    for (auto&& [k, v] : *table_) {
      if (seen_.count(std::string(k.str()))) continue;
      auto& src = k.source();
      errors_.push_back({std::string(file_), static_cast<int>(src.begin.line),
                         static_cast<int>(src.begin.column), "unknown key '" + child(k.str()) + "'"});
    }
  }

  const toml::table* table_;
  std::string path_;
  std::string_view file_;
  std::vector<config_error>& errors_;
  std::unordered_set<std::string> seen_;
};

}  // namespace guichet
