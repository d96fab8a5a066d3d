#include "gateway/redis/subscriber.hpp"

#include <hiredis/hiredis.h>

#include <vector>

#include "core/secret.hpp"
#include "gateway/base/log.hpp"
#include "gateway/redis/asio_bridge.hpp"
#include "gateway/redis/handshake.hpp"

namespace guichet::redis {

subscriber::subscriber(net::io_context& io, const redis_config& cfg, std::string channel, on_message f)
    : io_(io),
      cfg_(cfg),
      password_(cfg.password.empty() ? std::string() : load_secret(cfg.password)),
      channel_(std::move(channel)),
      f_(std::move(f)) {}

subscriber::~subscriber() { stop(); }

void subscriber::stop() {
  if (ac_) redisAsyncFree(ac_);  // callbacks get NULL replies; cleanup runs gone()
}

void subscriber::keep(const redis_address& where) {
  if (ac_ && at_ == where) return;
  if (ac_) redisAsyncFree(ac_);  // the primary moved: follow it
  at_ = where;
  redisAsyncContext* ac = redisAsyncConnect(where.host.c_str(), where.port);
  if (!ac || ac->err) {
    if (ac) redisAsyncFree(ac);
    return;  // the next keep() tries again
  }
  ac->data = this;
  ac_ = ac;
  bridge_ = asio_bridge::attach(io_, ac, [this] { gone(); });
  redisAsyncSetConnectCallback(ac, on_connect);
  // Sent once connected, in this order: the handshake (AUTH; no fencing: a subscription only
  // listens, and the command connection has fenced the server it names), then the subscription.
  for (const handshake::step& step : handshake(cfg_.user, password_, false).steps) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (auto& a : step.args) argv.push_back(a.data()), lens.push_back(a.size());
    redisAsyncCommandArgv(ac, on_auth, this, static_cast<int>(argv.size()), argv.data(), lens.data());
  }
  redisAsyncCommand(ac, on_reply, this, "SUBSCRIBE %b", channel_.data(), channel_.size());
}

void subscriber::on_connect(const redisAsyncContext* ac, int status) {
  if (status == REDIS_OK) return;
  auto* self = static_cast<subscriber*>(ac->data);
  auto now = std::chrono::steady_clock::now();
  if (now - self->last_warn_ > std::chrono::seconds(5)) {
    self->last_warn_ = now;
    log::warn("redis subscriber: connect failed", {{"address", self->at_.to_string()}, {"why", ac->errstr}});
  }
}

void subscriber::on_auth(redisAsyncContext* ac, void* reply, void*) {
  auto* r = static_cast<redisReply*>(reply);
  if (r && r->type == REDIS_REPLY_ERROR) {
    log::warn("redis subscriber: AUTH refused", {{"why", std::string(r->str, r->len)}});
    redisAsyncDisconnect(ac);
  }
}

// The subscription's confirmation, then every message: arrays of ("subscribe", channel, count)
// or ("message", channel, payload).
void subscriber::on_reply(redisAsyncContext*, void* reply, void* p) {
  auto* self = static_cast<subscriber*>(p);
  auto* r = static_cast<redisReply*>(reply);
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING) return;
  const std::string_view kind(r->element[0]->str, r->element[0]->len);
  if (kind == "subscribe") {
    self->subscribed_ = true;
  } else if (kind == "message" && r->element[2]->type == REDIS_REPLY_STRING) {
    self->f_(std::string_view(r->element[2]->str, r->element[2]->len));
  }
}

void subscriber::gone() {
  ac_ = nullptr;
  subscribed_ = false;
  bridge_.reset();
}

}  // namespace guichet::redis
