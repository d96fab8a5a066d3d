#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/json_escape.hpp"

namespace guichet {

/// A small JSON writer: objects and arrays with the commas in the right places and every string
/// escaped (append_json_escaped). Used wherever guichet writes a JSON document that is not a hot
/// path's pre-serialised answer: the load report, a hold's items, the draw's audit.
///   json_writer j;  j.open('{').kv("id", id).key("items").open('[') … .close(']').close('}');
class json_writer {
 public:
  json_writer& open(char c) {
    sep();
    s_ += c;
    first_ = true;
    return *this;
  }
  json_writer& close(char c) {
    s_ += c;
    first_ = false;
    return *this;
  }
  json_writer& key(std::string_view k) {
    sep();
    quoted(k);
    s_ += ':';
    first_ = true;
    return *this;
  }
  json_writer& value(std::string_view v) {
    sep();
    quoted(v);
    return *this;
  }
  json_writer& value(const char* v) { return value(std::string_view(v)); }
  json_writer& value(const std::string& v) { return value(std::string_view(v)); }
  /// A number with three decimals (or `decimals`); null when not finite.
  json_writer& value(double v, int decimals = 3) {
    sep();
    if (std::isfinite(v)) {
      char b[48];
      std::snprintf(b, sizeof b, "%.*f", decimals, v);
      s_ += b;
    } else {
      s_ += "null";
    }
    return *this;
  }
  json_writer& value(std::uint64_t v) {
    sep();
    s_ += std::to_string(v);
    return *this;
  }
  json_writer& value(std::int64_t v) {
    sep();
    s_ += std::to_string(v);
    return *this;
  }
  json_writer& value(std::uint32_t v) { return value(static_cast<std::uint64_t>(v)); }
  json_writer& value(int v) { return value(static_cast<std::int64_t>(v)); }
  json_writer& value(bool v) {
    sep();
    s_ += v ? "true" : "false";
    return *this;
  }
  json_writer& null() {
    sep();
    s_ += "null";
    return *this;
  }
  template <class T>
  json_writer& kv(std::string_view k, const T& v) {
    return key(k).value(v);
  }
  const std::string& text() const { return s_; }
  std::string take() { return std::move(s_); }

 private:
  void sep() {
    if (!first_) s_ += ',';
    first_ = false;
  }
  void quoted(std::string_view v) {
    s_ += '"';
    append_json_escaped(s_, v);
    s_ += '"';
  }
  std::string s_;
  bool first_ = true;
};

}  // namespace guichet
