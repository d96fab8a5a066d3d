#pragma once
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "gateway/server/per_thread.hpp"

namespace guichet::server {
class worker;
}  // namespace guichet::server

namespace guichet::checkout {

/// One worker's view of every edition's seats: the public availability JSON, refreshed every
/// second by one `availability` script call per edition (so a CDN-cached poll never reaches
/// Redis).
class availability_cache final : public server::per_thread {
 public:
  explicit availability_cache(server::worker& w);
  void start() override;
  /// Every loaded category's seats as last read: available, held, sold.
  void render_metrics(std::string& out) const override;
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
    std::vector<availability_cache::seats> categories;  // the loaded ones
  };
  boost::asio::awaitable<void> refresh_loop();
  boost::asio::awaitable<void> refresh(edition_view& e);
  server::worker& w_;
  std::vector<edition_view> editions_;
};

}  // namespace guichet::checkout
