#pragma once
// The steps the harness's commands share (driver.cpp, surge/command.cpp): reading the config
// and the target, secrets, waiting for the reapers before an audit, Redis' memory, the draw as
// ops run it, writing the reports. Internal to the harness.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "loadtest/http_client.hpp"
#include "loadtest/options.hpp"
#include "loadtest/report/report.hpp"

namespace guichet::loadtest {

/// The config, the edition and the target of a command; `error` says why it cannot run.
struct setup {
  config cfg;
  const edition_config* edition = nullptr;
  net::ip::tcp::endpoint target;
  std::string error;
};
/// Loads the config and checks the target and Redis are on loopback (unless --allow-remote).
setup prepare(const cli& c, const std::string& edition);

/// A secret the config names, or "" with `error` set.
std::string secret_or_error(const secret_ref& ref, const char* what, std::string& error);

/// Waits until the reapers have returned every hold due within the next minute (at most the
/// hold lifetime + 5 s): the audit reads a state nobody changes.
void settle(redis::blocking_client& redis, const edition_config& e, report& rep, std::ostream& log);

/// Redis' own count of the memory it uses (INFO memory used_memory), or 0 when it cannot say.
std::uint64_t redis_used_memory(redis::blocking_client& redis);
/// What the run added to Redis' memory, per fan, and what that makes for a million fans.
std::string redis_memory_note(const char* stage, std::uint64_t before, std::uint64_t after, std::uint64_t fans);

/// The terminal report on `out`, report.json and report.svg in the output folder.
void finish_report(report& rep, const cli& c, std::ostream& out, std::ostream& log);

/// The draw as ops run it (commit, then reveal), through the same code as `guichet --draw`.
bool run_draw(const config& cfg, const std::string& ed, const std::string& ph, const std::string& dir,
              std::vector<std::string>& notes, std::ostream& log);

}  // namespace guichet::loadtest
