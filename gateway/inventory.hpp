#pragma once
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "core/checkout.hpp"
#include "core/config.hpp"

namespace guichet {

class worker;

/// One worker's view of every edition's seats: the public availability JSON, refreshed every
/// second by one `availability` script call per edition (so a CDN-cached poll never reaches
/// Redis), and, on worker 0, the expiry reaper that returns holds past their deadline.
class inventory {
 public:
  explicit inventory(worker& w);
  void start();
  /// Public availability JSON of an edition, or nullptr (unknown edition, or never loaded).
  const std::string* availability(std::string_view edition) const;
  /// One category's seats as last read (for /metrics): capacity = available + held + sold.
  struct seats {
    std::string_view edition, session, category;
    std::uint64_t capacity, available, held, sold;
  };
  template <class F>
  void each_seats(F&& f) const {
    for (auto& e : editions_)
      for (auto& s : e.categories) f(s);
  }

 private:
  struct edition_view {
    const edition_config* edition;
    std::vector<std::string> inv_keys;
    std::string body;
    bool loaded = false;
    std::vector<inventory::seats> categories;  // the loaded ones
  };
  boost::asio::awaitable<void> refresh_loop();
  boost::asio::awaitable<void> refresh(edition_view& e);
  boost::asio::awaitable<void> reap_loop();
  boost::asio::awaitable<void> reap_one(std::string edition, std::string hold_id);
  worker& w_;
  std::vector<edition_view> editions_;
};

/// Inventory keys and session ids, one per distinct session of `items` (sorted by session), in
/// the order the checkout scripts take them.
void session_keys(std::string_view edition, const std::vector<hold_item>& items, std::vector<std::string>& keys,
                  std::vector<std::string>& sessions);

}  // namespace guichet
