// The HTTP request path exactly as a connection runs it: the input bytes are what a client sends
// on one connection (any number of pipelined requests, then the client closes its side);
// run_session reads, frames, limits, routes and answers them with the project's limits and
// routes. Redis is not connected, so routes that need it answer 503; the others run for real
// (state, position with token verification, metrics, probes, every refusal).
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>

#include "core/draw.hpp"
#include "core/clock.hpp"
#include "gateway/checkout/routes.hpp"
#include "gateway/base/log.hpp"
#include "gateway/ops/routes.hpp"
#include "gateway/room/routes.hpp"
#include "gateway/server/server.hpp"

namespace {

using namespace guichet;
using namespace std::chrono_literals;

config fuzz_config() {
  // The rooms opened an hour ago, whatever the date (a fixed date would leave only a closed
  // room's refusals to fuzz once it passed).
  const std::string opened = iso8601(system_ms() - 3'600'000);
  auto loaded = parse_config(R"(
[server]
threads = 1
[limits]
header_bytes = 8192
body_bytes = 16384
[proxy]
trusted = ["0.0.0.0/0", "::/0"]
[secrets]
jwt_key = { env = "UNUSED" }
[[tokens.keys]]
id = "k1"
env = "UNUSED"
[editions.ed.sessions]
S1 = { name = "One", categories = { A = 10 } }
[editions.ed.phases.open]
slots = [ { id = "all", start = )" + opened + R"(, duration = "300d" } ]
[editions.ed.phases.lottery]
draw = true
rules = "packs"
slots = [ { id = "a", start = )" + opened + R"(, duration = "300d", capacity = 5 } ]
)",
                             "fuzz.toml");
  if (!loaded.errors.empty()) __builtin_trap();  // the harness's own config must be valid
  loaded.value.log = log_level::error;
  return loaded.value;
}

identity::runtime_secrets fuzz_secrets() {
  return {.admin_key = "fuzz-admin-key-0123456789abcdef",
          .jwt_key = "fuzz-organiser-jwt-key-012345",
          .payment_key = "fuzz-payment-key-0123456789ab",
          .token_keys = {{"k1", "fuzz-token-key-0123456789abcd", 0}}};
}

server::route_table fuzz_routes() {
  server::route_table t;
  ops::add_ops_routes(t);
  room::add_room_routes(t);
  checkout::add_checkout_routes(t);
  return t;
}

struct world {
  config cfg = fuzz_config();
  identity::runtime_secrets secrets = fuzz_secrets();
  server::server srv{cfg, fuzz_routes(), secrets};
  server::worker w{srv, cfg, secrets, 0};
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_level(log_level::error);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static world* W = new world();
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 0;
  auto& io = W->w.io;
  net::ip::tcp::socket server_side(io);
  server_side.assign(net::ip::tcp::v4(), sv[0]);
  net::local::stream_protocol::socket client(io);
  client.assign(net::local::stream_protocol(), sv[1]);
  // The client writes everything, closes its side, and reads every answer until the server closes.
  net::co_spawn(io, server::run_session(W->w, std::move(server_side)), net::detached);
  std::string answers;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        co_await net::async_write(client, net::buffer(data, size), net::as_tuple(net::use_awaitable));
        boost::system::error_code ec;
        client.shutdown(net::socket_base::shutdown_send, ec);
        char buf[16384];
        for (;;) {
          auto [rec, got] = co_await client.async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
          if (rec) break;
          answers.append(buf, got);
        }
      },
      net::detached);
  io.restart();
  io.run();
  // Every answer starts with a status line (the session never writes anything else).
  if (!answers.empty() && answers.rfind("HTTP/1.", 0) != 0) __builtin_trap();
  return 0;
}
