#pragma once
#include <initializer_list>
#include <string_view>
#include <utility>

#include "core/config.hpp"

namespace guichet::log {

/// One JSON object per line on stderr: {"ts":...,"level":...,"msg":...,<fields>}. Each line is
/// written with a single write(2), so lines from different threads never interleave.
void set_level(log_level level);
bool enabled(log_level level);
void write(log_level level, std::string_view msg,
           std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

inline void info(std::string_view msg, std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  write(log_level::info, msg, f);
}
inline void warn(std::string_view msg, std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  write(log_level::warn, msg, f);
}
inline void error(std::string_view msg, std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  write(log_level::error, msg, f);
}

}  // namespace guichet::log
