#pragma once
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <vector>
#include "gateway/base/asio.hpp"

namespace guichet::redis {


/// The WAIT group commit of a connection with redis.replicas_ack: every replicated script sent
/// in the same turn of the event loop shares the one WAIT written after them, so replication
/// costs one command per batch, not one per script.
class group_commit {
 public:
  /// Sends one WAIT; calls back with the replicas that acknowledged (-1: no answer).
  using send_wait = std::function<void(std::function<void(long long acked)>)>;
  group_commit(net::io_context& io, send_wait send) : io_(io), send_(std::move(send)) {}

  /// Joins the WAIT that follows every command sent in this turn; `f` gets its outcome.
  void join(std::function<void(long long acked)> f);

 private:
  struct batch {
    std::vector<std::function<void(long long)>> waiters;
  };
  void flush();
  net::io_context& io_;
  send_wait send_;
  std::shared_ptr<batch> open_;
};

}  // namespace guichet::redis
