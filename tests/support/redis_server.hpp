#pragma once
#include <string>
#include <vector>

namespace guichet::test {

/// How a test redis-server runs: extra server arguments (ACL users, TLS files), the arguments
/// redis-cli needs to reach it (--user/--pass, --tls --cacert), and whether its port is TLS only.
struct redis_options {
  bool aof = false;
  std::vector<std::string> args;
  std::vector<std::string> cli_args;
  bool tls = false;  ///< port() is the tls-port; the plain port is off
};

/// A real redis-server child process on a free loopback port, with its own data directory.
/// Stop/start keep the port, so clients can test reconnection; AOF can be turned on.
class redis_server {
 public:
  explicit redis_server(bool aof = false);
  explicit redis_server(redis_options o);
  ~redis_server();
  redis_server(const redis_server&) = delete;

  void start();
  void stop();  ///< SIGKILL, as a crash would
  int port() const { return port_; }
  /// Runs one command through redis-cli and returns its raw output (trimmed).
  std::string cli(const std::vector<std::string>& args) const;

 private:
  /// Starts the server and waits for it: false when it exited at once (its port was taken).
  bool launch();
  int port_;
  int pid_ = -1;
  redis_options o_;
  std::string dir_;
};

/// A TCP port that was free a moment ago, and that this process was not given before (another
/// process may still take it: a server that cannot bind it should be started on another).
int free_port();

}  // namespace guichet::test
