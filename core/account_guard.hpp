#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

namespace guichet {

/// Per-account shedding in front of Redis: how many holds an account has in flight, and
/// whether Redis recently said it is at its ticket cap. A fixed-size, lock-free open-addressing
/// table shared by all workers; each slot packs {in-flight count, capped-until seconds} in one
/// atomic word. Redis stays the authority: a full table lets requests through.
class account_guard {
 public:
  explicit account_guard(std::size_t slots);

  /// Takes an in-flight place for `key`; returns the slot to give back with leave(), -1 when
  /// the account already has `max` in flight, or -2 when the table is too crowded to track it
  /// (allowed: the guard fails open).
  long enter(std::uint64_t key, std::uint32_t max, std::uint32_t now_s);
  void leave(long slot);
  /// Remembers that the account is at its cap until `until_s`.
  void mark_capped(std::uint64_t key, std::uint32_t until_s, std::uint32_t now_s);
  bool capped(std::uint64_t key, std::uint32_t now_s) const;

 private:
  struct alignas(16) slot {
    std::atomic<std::uint64_t> key{0};
    std::atomic<std::uint64_t> state{0};  // high 32: capped-until (s); low 32: in flight
  };
  static constexpr int kProbes = 8;
  long find(std::uint64_t key, std::uint32_t now_s, bool claim) const;
  std::unique_ptr<slot[]> slots_;
  std::size_t mask_;
};

/// RAII for one in-flight place.
class inflight_place {
 public:
  inflight_place(account_guard& g, long slot) : g_(g), slot_(slot) {}
  ~inflight_place() {
    if (slot_ >= 0) g_.leave(slot_);
  }
  inflight_place(const inflight_place&) = delete;
  inflight_place& operator=(const inflight_place&) = delete;

 private:
  account_guard& g_;
  long slot_;
};

}  // namespace guichet
