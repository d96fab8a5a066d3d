#pragma once
#include <optional>
#include <string>
#include <vector>

namespace guichet::loadtest {

/// A sale as the payment back end saw it: a confirm answered 200. The audit checks Redis sold
/// exactly these, no more, no fewer.
struct sale {
  std::string hold_id, account, phase, items, payment_ref;  ///< items as stored: "S:C:q,..."
};

/// ledger.tsv: one sale per line, tab-separated, in the order above.
bool write_ledger(const std::string& path, const std::vector<sale>& sales);
/// nullopt (with `error` set, naming the line) when the file cannot be read or a line is bad.
std::optional<std::vector<sale>> read_ledger(const std::string& path, std::string& error);

}  // namespace guichet::loadtest
