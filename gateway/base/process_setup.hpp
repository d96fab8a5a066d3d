#pragma once

namespace guichet::base {

/// The start-up chores of a process that talks to Redis and to many clients, written once for
/// the gateway, the harness and the in-process servers of the tests:
///  - SIGPIPE ignored: a write to a connection its peer has closed must fail with EPIPE, not
///    kill the process. Asio sends with MSG_NOSIGNAL, hiredis does not: a Redis primary killed
///    mid-write would otherwise take every gateway down with it;
///  - the open-files limit raised to its hard limit: one descriptor per connection.
/// Idempotent.
void prepare_process();

}  // namespace guichet::base
