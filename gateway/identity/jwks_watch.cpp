#include "gateway/identity/jwks_watch.hpp"

#include <sys/stat.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/base/log.hpp"

namespace guichet::identity {

jwks_watch::jwks_watch(std::string path, std::shared_ptr<jwk_store> store)
    : path_(std::move(path)), store_(std::move(store)), seen_(current_stamp()) {}

jwks_watch::stamp jwks_watch::current_stamp() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_size, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::size_t jwks_watch::keys() const {
  auto s = store_->current();
  return s ? s->size() : 0;
}

bool jwks_watch::reload() {
  seen_ = current_stamp();
  auto r = load_jwks_file(path_);
  if (!r.set) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    log::error("identity JWKS reload refused, the keys in force stay", {{"error", r.error}});
    return false;
  }
  std::string kids;
  for (auto& k : r.set->keys()) kids += (kids.empty() ? "" : ",") + k.kid;
  store_->replace(r.set);
  reloads_.fetch_add(1, std::memory_order_relaxed);
  log::info("identity JWKS loaded", {{"file", path_}, {"kids", kids}, {"skipped", std::to_string(r.set->skipped())}});
  return true;
}

void jwks_watch::stop() {
  stopped_ = true;
  if (timer_) timer_->cancel();
}

net::awaitable<void> jwks_watch::run(std::chrono::milliseconds period) {
  timer_ = std::make_unique<net::steady_timer>(co_await net::this_coro::executor);
  while (!stopped_) {
    timer_->expires_after(period);
    co_await timer_->async_wait(net::as_tuple(net::use_awaitable));
    if (stopped_) break;
    // A file being rewritten may be caught half-written: it fails to parse, and the next
    // change (the writer finishing) is picked up on a later tick.
    if (!(current_stamp() == seen_)) reload();
  }
}

}  // namespace guichet::identity
