#pragma once
#include <iosfwd>

#include "loadtest/options.hpp"

namespace guichet::loadtest {

/// Runs a parsed command: the stages of the scenario, the audit, the report. Returns the exit
/// status: 0 pass, 1 a violation, 2 could not run (the reason is on `log`).
int run_command(const cli& c, std::ostream& out, std::ostream& log);

}  // namespace guichet::loadtest
