#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "gateway/server/fleet.hpp"

namespace guichet::server {

class worker;

/// A feature's state on one worker thread: its caches and background loops (the room cache,
/// the availability cache, the hold reaper). A feature registers a factory with its routes
/// (route_table::per_thread_state); every worker makes one of each and owns it, knowing it only
/// through this interface, so the server layer includes no feature's header and a feature's
/// state is never shared between threads.
class per_thread {
 public:
  virtual ~per_thread() = default;
  /// Starts its background work on the worker's io_context (once, before the thread runs); it
  /// ends by itself when the worker drains.
  virtual void start() {}
  /// The live part of the config changed (SIGHUP); the worker's copy is already updated.
  virtual void reload() {}
  /// False until it can serve (/readyz waits for every worker's states).
  virtual bool warm() const { return true; }
  /// The fleet's lease holder published a new state (fleet.hpp), on this worker's thread: a
  /// feature whose Redis chores the holder does takes what it read from here.
  virtual void follow(const fleet_state&) {}
  /// Appends this feature's /metrics section as this worker sees it.
  virtual void render_metrics(std::string&) const {}
};

using per_thread_factory = std::function<std::unique_ptr<per_thread>(worker&)>;

namespace detail {
inline std::size_t next_per_thread_slot() {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace detail

/// The slot of state type T in every worker: a small number given on first use (a typed slot,
/// looked up by index on the request path, not by name).
template <class T>
std::size_t per_thread_slot() {
  static const std::size_t slot = detail::next_per_thread_slot();
  return slot;
}

}  // namespace guichet::server
