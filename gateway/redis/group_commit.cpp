#include "gateway/redis/group_commit.hpp"

#include <boost/asio/post.hpp>

namespace guichet::redis {

void group_commit::join(std::function<void(long long acked)> f) {
  if (!open_) {
    open_ = std::make_shared<batch>();
    // Runs after every handler already queued: the scripts sent in this turn go before the WAIT.
    net::post(io_, [this] { flush(); });
  }
  open_->waiters.push_back(std::move(f));
}

void group_commit::flush() {
  auto b = std::move(open_);
  open_.reset();
  if (!b) return;
  send_([b](long long acked) {
    for (auto& w : b->waiters) w(acked);
  });
}

}  // namespace guichet::redis
