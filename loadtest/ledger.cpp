#include "loadtest/ledger.hpp"

#include <fstream>

namespace guichet::loadtest {

bool write_ledger(const std::string& path, const std::vector<sale>& sales) {
  std::ofstream f(path, std::ios::trunc);
  f << "# hold_id\taccount\tphase\titems\tpayment_ref\n";
  for (auto& s : sales) f << s.hold_id << '\t' << s.account << '\t' << s.phase << '\t' << s.items << '\t' << s.payment_ref << '\n';
  return static_cast<bool>(f.flush());
}

std::optional<std::vector<sale>> read_ledger(const std::string& path, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = path + ": cannot read";
    return std::nullopt;
  }
  std::vector<sale> out;
  std::string line;
  for (int n = 1; std::getline(f, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::string cols[5];
    std::size_t start = 0, i = 0;
    for (; i < 5 && start <= line.size(); ++i) {
      auto tab = line.find('\t', start);
      cols[i] = line.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
      start = tab == std::string::npos ? line.size() + 1 : tab + 1;
    }
    if (i != 5 || start <= line.size() || cols[0].empty() || cols[1].empty()) {
      error = path + ":" + std::to_string(n) + ": expected 5 tab-separated columns";
      return std::nullopt;
    }
    out.push_back({cols[0], cols[1], cols[2], cols[3], cols[4]});
  }
  return out;
}

}  // namespace guichet::loadtest
