#pragma once
#include <cstddef>
#include <new>
#include <string>
#include <vector>

namespace guichet {

/// Blocks of one size kept for reuse by one thread. A connection's read buffer is taken from
/// here when a request starts and given back when the connection falls idle, so that a
/// keep-alive request allocates nothing and an idle connection holds no buffer. Other sizes
/// (a buffer grown for a body) go to the heap. Not thread-safe: one per worker.
class block_pool {
 public:
  explicit block_pool(std::size_t block_size, std::size_t keep = 256) : size_(block_size), keep_(keep) {
    free_.reserve(keep);
  }
  ~block_pool() {
    for (void* p : free_) ::operator delete(p);
  }
  block_pool(const block_pool&) = delete;
  block_pool& operator=(const block_pool&) = delete;

  void* take(std::size_t n) {
    if (n == size_ && !free_.empty()) {
      void* p = free_.back();
      free_.pop_back();
      return p;
    }
    return ::operator new(n);
  }
  void give(void* p, std::size_t n) noexcept {
    if (n == size_ && free_.size() < keep_) {
      free_.push_back(p);  // never reallocates: reserved up to keep_
      return;
    }
    ::operator delete(p);
  }
  std::size_t kept() const { return free_.size(); }

 private:
  std::vector<void*> free_;
  std::size_t size_, keep_;
};

/// An allocator drawing from a block_pool (for beast::basic_flat_buffer).
template <class T>
struct pool_allocator {
  using value_type = T;
  block_pool* pool;
  explicit pool_allocator(block_pool& p) : pool(&p) {}
  template <class U>
  pool_allocator(const pool_allocator<U>& o) : pool(o.pool) {}  // NOLINT: rebinding converts implicitly
  T* allocate(std::size_t n) { return static_cast<T*>(pool->take(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { pool->give(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const pool_allocator<U>& o) const { return pool == o.pool; }
};

/// Strings kept for reuse by one thread, emptied but with their capacity: the head and JSON body
/// of an answer are written into them. Not thread-safe: one per worker.
class string_pool {
 public:
  explicit string_pool(std::size_t keep = 256, std::size_t max_capacity = 64 * 1024)
      : keep_(keep), max_capacity_(max_capacity) {
    free_.reserve(keep);
  }
  std::string take() {
    if (free_.empty()) {
      std::string s;
      s.reserve(1024);
      return s;
    }
    std::string s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  /// A string grown past max_capacity (a /metrics page) is dropped rather than kept.
  void give(std::string&& s) {
    if (free_.size() >= keep_ || s.capacity() > max_capacity_) return;
    s.clear();
    free_.push_back(std::move(s));
  }

 private:
  std::vector<std::string> free_;
  std::size_t keep_, max_capacity_;
};

}  // namespace guichet
