#pragma once
#include <ostream>
#include <string>

#include "core/config.hpp"

namespace guichet::commands {

/// The draw's ops commands. Each prints what it did and returns the process exit code
/// (0 done, 1 refused — the reason is printed — 2 Redis unreachable or failing).

/// --draw-commit EDITION PHASE: a fresh secret seed (printed, for ops to keep until the draw)
/// and its SHA-256 commitment (stored, to publish before registration closes).
int draw_commit(const config& cfg, const std::string& edition, const std::string& phase, std::ostream& out);

/// --draw EDITION PHASE SEED OUT_DIR: refuses a seed that does not match the commitment; runs
/// the draw over the registrations in Redis; writes OUT_DIR/registrants.tsv, winners.csv,
/// audit.json and the account -> slot hash the waiting room reads (pipelined batches).
/// Re-running with the same seed and registrants is a no-op; another result is refused.
int draw_run(const config& cfg, const std::string& edition, const std::string& phase, const std::string& seed_hex,
             const std::string& out_dir, std::ostream& out);

/// --import-registrations EDITION PHASE FILE: CSV "account,groups" (groups ';'-separated,
/// optional header). Every bad row is reported with its line and nothing is written; good files
/// are imported idempotently (an existing registration is kept).
int import_registrations(const config& cfg, const std::string& edition, const std::string& phase,
                         const std::string& file, std::ostream& out);

}  // namespace guichet::commands
