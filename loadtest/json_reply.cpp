#include "loadtest/json_reply.hpp"

#include <simdjson.h>

namespace guichet::loadtest {

namespace {

simdjson::simdjson_result<simdjson::dom::element> value(std::string_view body, std::string_view pointer) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string padded;
  padded.assign(body);
  padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  return parser.parse(padded.data(), body.size(), false).at_pointer(pointer);
}

}  // namespace

std::optional<std::string> json_string(std::string_view body, std::string_view pointer) {
  std::string_view v;
  if (value(body, pointer).get(v)) return std::nullopt;
  return std::string(v);
}

std::optional<std::int64_t> json_int(std::string_view body, std::string_view pointer) {
  std::int64_t v = 0;
  if (value(body, pointer).get(v)) return std::nullopt;
  return v;
}

bool json_true(std::string_view body, std::string_view pointer) {
  bool v = false;
  return !value(body, pointer).get(v) && v;
}

}  // namespace guichet::loadtest
