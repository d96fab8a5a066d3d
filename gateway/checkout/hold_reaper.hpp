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

/// The expiry reaper: holds past their deadline go back on sale. It runs on worker 0 of the
/// fleet lease's holder (server/fleet.hpp), one per fleet at a time (the release script
/// re-checks each deadline on Redis' clock, so reapers racing at a change of holder are
/// harmless), and reports how late it is (guichet_reaper_lag_seconds; 0 on the other gateways).
class hold_reaper final : public server::per_thread {
 public:
  explicit hold_reaper(server::worker& w);
  void start() override;

 private:
  boost::asio::awaitable<void> reap_loop();
  boost::asio::awaitable<void> reap_one(std::string edition, std::string hold_id);
  server::worker& w_;
  std::vector<const edition_config*> editions_;  // those with sessions on sale
};

}  // namespace guichet::checkout
