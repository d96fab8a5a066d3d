#include "gateway/checkout/settlement.hpp"

#include "core/checkout.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::checkout {

void count_settlement(server::worker& w, const edition_config& e, const redis::redis_reply& answer) {
  const auto& el = answer.elements;
  if (el.size() < 4 || el[el.size() - 3].str != "now") return;
  const phase_config* ph = e.find_phase(el[el.size() - 2].str);
  auto* ev = ph ? w.events(e, *ph) : nullptr;
  if (!ev) return;
  const std::string& tag = el[0].str;
  if (tag == "confirmed") {
    ev->holds_confirmed.add();
    for (auto& i : decode_items(el.back().str)) ev->tickets_sold.add(static_cast<std::uint64_t>(i.quantity));
  } else if (tag == "released") {
    ev->holds_released.add();
  } else if (tag == "expired") {
    ev->holds_expired.add();
  }
}

}  // namespace guichet::checkout
