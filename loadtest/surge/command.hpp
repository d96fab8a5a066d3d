#pragma once
#include <iosfwd>

#include "loadtest/options.hpp"

namespace guichet::loadtest {

/// The surge scenario: registration, the draw, the fans' opening day, the audit, the report.
/// Returns the exit status (0 pass, 1 a violation, 2 could not run).
int surge_command(const cli& c, std::ostream& out, std::ostream& log);

}  // namespace guichet::loadtest
