#pragma once
#include <ostream>

#include "core/config.hpp"

namespace guichet::commands {

/// `guichet --config FILE --load-inventory`: writes every edition's sessions and capacities into
/// Redis with the inventory_load script. Idempotent; never lowers a capacity below held + sold
/// and never resets sales. Prints one line per category; returns the process exit code
/// (0 all applied, 1 some refused, 2 Redis unreachable or failing).
int load_inventory(const config& cfg, std::ostream& out);

}  // namespace guichet::commands
