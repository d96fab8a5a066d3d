#pragma once
#include <cstddef>
#include <new>
#include <vector>

namespace guichet::server {

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

/// Objects of one type kept for reuse by one thread: `take` lends one (made on first use),
/// which goes back when the lease ends. Not thread-safe: one per worker.
template <class T>
class object_pool {
 public:
  class lease {
   public:
    lease(object_pool& pool, T* p) : pool_(pool), p_(p) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() { pool_.give(p_); }
    T* operator->() const { return p_; }
    T& operator*() const { return *p_; }

   private:
    object_pool& pool_;
    T* p_;
  };

  explicit object_pool(std::size_t keep = 256) : keep_(keep) { free_.reserve(keep); }
  ~object_pool() {
    for (T* p : free_) delete p;
  }
  object_pool(const object_pool&) = delete;
  object_pool& operator=(const object_pool&) = delete;

  lease take() {
    if (free_.empty()) return {*this, new T()};
    T* p = free_.back();
    free_.pop_back();
    return {*this, p};
  }

 private:
  void give(T* p) {
    if (free_.size() < keep_) {
      free_.push_back(p);
    } else {
      delete p;
    }
  }
  std::vector<T*> free_;
  std::size_t keep_;
};

}  // namespace guichet::server
