#include "gateway/redis/asio_bridge.hpp"

namespace guichet::redis {

std::shared_ptr<asio_bridge> asio_bridge::attach(net::io_context& io, redisAsyncContext* ac, std::function<void()> gone) {
  auto b = std::make_shared<asio_bridge>(io, ac, std::move(gone));
  boost::system::error_code ec;
  b->sd_.assign(ac->c.fd, ec);
  ac->ev.data = b.get();
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  return b;
}

void asio_bridge::arm(bool read) {
  bool& want = read ? reading_ : writing_;
  bool& armed = read ? read_armed_ : write_armed_;
  if (armed || !want || !ac_) return;
  armed = true;
  sd_.async_wait(read ? net::posix::descriptor_base::wait_read : net::posix::descriptor_base::wait_write,
                 [self = shared_from_this(), read](boost::system::error_code ec) {
                   (read ? self->read_armed_ : self->write_armed_) = false;
                   if (ec || !self->ac_ || !(read ? self->reading_ : self->writing_)) return;
                   if (read) redisAsyncHandleRead(self->ac_);
                   else redisAsyncHandleWrite(self->ac_);
                   self->arm(read);
                 });
}

void asio_bridge::add_read(void* p) {
  auto* b = static_cast<asio_bridge*>(p);
  b->reading_ = true;
  b->arm(true);
}

void asio_bridge::del_read(void* p) { static_cast<asio_bridge*>(p)->reading_ = false; }

void asio_bridge::add_write(void* p) {
  auto* b = static_cast<asio_bridge*>(p);
  b->writing_ = true;
  b->arm(false);
}

void asio_bridge::del_write(void* p) { static_cast<asio_bridge*>(p)->writing_ = false; }

void asio_bridge::cleanup(void* p) {
  auto* b = static_cast<asio_bridge*>(p);
  b->ac_ = nullptr;
  b->reading_ = b->writing_ = false;
  if (b->sd_.is_open()) b->sd_.release();  // hiredis closes the fd itself
  auto gone = std::move(b->gone_);
  gone();  // may drop the last reference to the bridge: touch nothing after
}

}  // namespace guichet::redis
