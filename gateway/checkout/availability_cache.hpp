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

/// One worker's view of every edition's seats: the public availability JSON (so a CDN-cached
/// poll never reaches Redis). Once a second for the whole fleet, worker 0 of the fleet lease's
/// holder (server/fleet.hpp) makes one `availability` script call per edition and publishes the
/// replies; every worker of every gateway takes them from the fleet's state (follow). An
/// edition nobody publishes (not in the holder's config) is read by each gateway that has it.
class availability_cache final : public server::per_thread {
 public:
  explicit availability_cache(server::worker& w);
  void start() override;
  /// Takes the editions' seats the fleet lease's holder published.
  void follow(const server::fleet_state& s) override;
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
    std::string field;      ///< its name in the fleet's state: "avail:<edition>"
    std::string published;  ///< the reply last applied, as published (values joined by ',')
    std::string body;
    bool loaded = false;
    std::vector<availability_cache::seats> categories;  // the loaded ones
  };
  boost::asio::awaitable<void> refresh_loop();
  /// Calls the availability script; on success applies the reply and returns it as published.
  boost::asio::awaitable<std::string> refresh(edition_view& e);
  /// Applies a published reply; false if it does not fit this config's edition.
  bool apply(edition_view& v, std::string_view published);
  server::worker& w_;
  std::vector<edition_view> editions_;
};

}  // namespace guichet::checkout
