#pragma once
#include <toml++/toml.h>

#include <chrono>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

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
    auto v = n->value<long long>();
    if (!n->is_integer() || !v) return error(*n, key, "must be an integer");
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

  /// A secret is a table { env = "NAME" } or { file = "/path" }; an inline value is refused.
  void secret(std::string_view key, secret_ref& out) {
    auto* n = find(key);
    if (!n) return;
    if (!n->is_table())
      return error(*n, key, "must be { env = \"VAR\" } or { file = \"/path\" }; secrets are never inline");
    config_reader sub(n->as_table(), child(key), file_, errors_);
    sub.string("env", out.env);
    sub.string("file", out.file);
    if (out.env.empty() == out.file.empty()) error(*n, key, "needs exactly one of env or file");
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
