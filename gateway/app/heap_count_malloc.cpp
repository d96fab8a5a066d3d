// The allocation functions of the guichet binary: jemalloc's, plus one count per allocation
// (gateway/base/heap_count.hpp). Everything allocates through these — operator new (replaced below:
// jemalloc's own would bypass malloc), Asio's handler and coroutine-frame memory
// (aligned_alloc), hiredis, simdjson — so the count is every heap allocation of the process.
// free and realloc stay jemalloc's own. Not built with the sanitizers, whose runtime owns these.
#include <jemalloc/jemalloc.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "gateway/base/heap_count.hpp"

namespace {

[[maybe_unused]] const bool kActive = [] {
  guichet::base::heap_count::active.store(true, std::memory_order_relaxed);
  return true;
}();

void* counted(std::size_t n, int flags) noexcept {
  guichet::base::heap_count::count();
  return mallocx(n ? n : 1, flags);
}

bool power_of_two(std::size_t a) { return a && !(a & (a - 1)); }

}  // namespace

extern "C" {

void* malloc(std::size_t n) {
  void* p = counted(n, 0);
  if (!p) errno = ENOMEM;
  return p;
}

void* calloc(std::size_t count, std::size_t size) {
  std::size_t n = 0;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = counted(n, MALLOCX_ZERO);
  if (!p) errno = ENOMEM;
  return p;
}

void* aligned_alloc(std::size_t align, std::size_t n) {
  if (!power_of_two(align)) {
    errno = EINVAL;
    return nullptr;
  }
  void* p = counted(n, MALLOCX_ALIGN(align));
  if (!p) errno = ENOMEM;
  return p;
}

void* memalign(std::size_t align, std::size_t n) { return aligned_alloc(align, n); }

int posix_memalign(void** out, std::size_t align, std::size_t n) {
  if (!power_of_two(align) || align % sizeof(void*)) return EINVAL;
  void* p = counted(n, MALLOCX_ALIGN(align));
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"

void* operator new(std::size_t n) {
  if (void* p = std::malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = aligned_alloc(static_cast<std::size_t>(a), n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return aligned_alloc(static_cast<std::size_t>(a), n);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return aligned_alloc(static_cast<std::size_t>(a), n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
