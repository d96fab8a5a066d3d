#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace guichet::test {

/// Redis as production runs it, on loopback: one primary, replicas, and redis-sentinel processes
/// watching master "guichet" (down-after 1 s, quorum 2, a password on the sentinels). Every node
/// has AOF on and `min-replicas-to-write` (fencing: a primary cut off from its replicas stops
/// taking writes). Nodes can be killed, frozen (SIGSTOP), thawed and restarted on their port.
class redis_topology {
 public:
  struct options {
    int replicas = 2;
    int sentinels = 3;
    int min_replicas_to_write = 1;
  };
  redis_topology() : redis_topology(options{}) {}
  explicit redis_topology(options o);
  ~redis_topology();
  redis_topology(const redis_topology&) = delete;

  static constexpr const char* kMaster = "guichet";
  static constexpr const char* kSentinelPassword = "sentinel-password-0123456789";

  /// Data nodes' ports; index 0 started as the primary.
  const std::vector<int>& nodes() const { return node_ports_; }
  const std::vector<int>& sentinels() const { return sentinel_ports_; }
  /// "127.0.0.1:p", ... for [redis] sentinels.
  std::string sentinels_toml() const;
  /// The primary the sentinels name now (0 when none answers).
  int primary() const;
  /// Waits until the sentinels name a primary other than `old` and it says ROLE master.
  int wait_new_primary(int old, std::chrono::milliseconds limit = std::chrono::seconds(30)) const;
  /// Makes a write on the primary (node 0 unless `primary`) and waits, on the same connection,
  /// until `replicas` replicas acknowledge it (and so every write before it); false on timeout.
  bool wait_replicated(int replicas, int primary = 0) const;
  /// Waits until `port` is a replica with its link up.
  bool wait_replica_synced(int port, std::chrono::milliseconds limit = std::chrono::seconds(30)) const;

  void kill(int port);      ///< SIGKILL, as a lost machine
  void freeze(int port);    ///< SIGSTOP
  void thaw(int port);      ///< SIGCONT
  void restart(int port);   ///< starts the node again with its data and config
  void kill_sentinel(int i);

  /// redis-cli against a data node (trimmed output).
  std::string cli(int port, const std::vector<std::string>& args) const;
  std::string sentinel_cli(int i, const std::vector<std::string>& args) const;

 private:
  void start_all();
  void stop_all();
  void write_node_conf(std::size_t i) const;
  void write_sentinel_conf(std::size_t i) const;
  /// Start the process on its port and wait for it: false when it exited at once (the port was
  /// taken), an exception when it does not answer within 4 s.
  bool start_node(std::size_t i);
  bool start_sentinel(std::size_t i);
  std::string dir_;
  options o_;
  std::vector<int> node_ports_, node_pids_, sentinel_ports_, sentinel_pids_;
};

}  // namespace guichet::test
