#pragma once
#include <memory>

#include "core/config.hpp"
#include "gateway/ops/routes.hpp"
#include "gateway/server/server.hpp"

namespace guichet::test {

/// A config for in-process servers: a free port, two workers, short deadlines.
inline config test_config(int redis_port) {
  config c;
  c.server.port = 0;
  c.server.threads = 2;
  c.redis.port = static_cast<std::uint16_t>(redis_port);
  c.redis.command_timeout = std::chrono::milliseconds(500);
  c.redis.reconnect_min = std::chrono::milliseconds(20);
  c.redis.reconnect_max = std::chrono::milliseconds(200);
  c.timeouts.drain = std::chrono::seconds(3);
  c.log = log_level::error;
  c.limits.door_per_ip_rate = 0;  // tests join many fans from 127.0.0.1; the door's own tests turn it on
  return c;
}

/// Secrets for in-process gateways (test values, never used outside tests).
inline const identity::runtime_secrets& test_secrets() {
  static const identity::runtime_secrets s{.admin_key = "admin-key-0123456789abcdef",
                                 .jwt_key = "organiser-jwt-key-0123456789",
                                 .payment_key = "payment-backend-key-0123456789",
                                 .token_keys = {{"k1", "token-key-0123456789abcdef", 0}}};
  return s;
}

/// Starts a real server on a free port and drains it when destroyed.
struct test_gateway {
  test_gateway(const config& cfg, server::route_table routes, identity::runtime_secrets secrets = {})
      : srv(cfg, std::move(routes), std::move(secrets)) {
    srv.start();
  }
  ~test_gateway() { srv.drain(); }
  int port() const { return srv.port(); }
  server::server srv;
};

}  // namespace guichet::test
