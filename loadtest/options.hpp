#pragma once
#include <string>
#include <vector>

#include "loadtest/surge/surge.hpp"
#include "loadtest/throughput.hpp"

namespace guichet::loadtest {

/// The command line, parsed. One struct per scenario family; unknown options and bad values are
/// errors that name the option.
struct cli {
  std::string scenario;  ///< surge | poll | join | hold | audit
  std::string config_path;
  std::string target;    ///< host:port; default: the config's server.listen:port
  std::string out_dir;   ///< report.json, report.svg, ledger.tsv, draw outputs
  std::string ledger;    ///< audit: the confirmations to compare with (default OUT/ledger.tsv if present)
  bool allow_remote = false;
  surge_options surge;
  load_options load;
};

struct cli_result {
  cli value;
  std::string error;  ///< empty when the command line is good
  bool help = false;
};

cli_result parse_cli(const std::vector<std::string>& args);
const char* usage_text();

}  // namespace guichet::loadtest
