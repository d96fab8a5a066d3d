#include "tests/support/redis_topology.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"

namespace guichet::test {

namespace {
void reap(int& pid, int sig) {
  if (pid <= 0) return;
  ::kill(pid, SIGCONT);
  ::kill(pid, sig);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
}
// True (and the child reaped, `pid` cleared) when it has exited: it could not start.
bool exited(int& pid) {
  if (pid <= 0 || ::waitpid(pid, nullptr, WNOHANG) != pid) return false;
  pid = -1;
  return true;
}
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

redis_topology::redis_topology(options o) : o_(o) {
  char tmpl[] = "/tmp/guichet-ha-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  for (int i = 0; i <= o.replicas; ++i) node_ports_.push_back(free_port()), node_pids_.push_back(-1);
  for (int i = 0; i < o.sentinels; ++i) sentinel_ports_.push_back(free_port()), sentinel_pids_.push_back(-1);
  try {
    start_all();
  } catch (...) {
    stop_all();  // no destructor runs after a throwing constructor: nothing may outlive the test
    throw;
  }
}

void redis_topology::start_all() {
  // A port free a moment ago may be taken by another test by now: a process that exits at once
  // (it could not bind) is started again on another port.
  auto start = [](int& port, auto&& write_conf, auto&& launch) {
    for (int attempt = 0;; ++attempt) {
      write_conf();
      if (launch()) return;
      if (attempt == 3) throw std::runtime_error("could not bind a port for a redis process");
      port = free_port();
    }
  };
  for (std::size_t i = 0; i < node_ports_.size(); ++i)
    start(node_ports_[i], [&] { write_node_conf(i); }, [&] { return start_node(i); });
  for (std::size_t i = 1; i < node_ports_.size(); ++i)
    if (!wait_replica_synced(node_ports_[i])) throw std::runtime_error("replica did not sync");
  if (o_.replicas && !wait_replicated(o_.replicas))
    throw std::runtime_error("replicas did not acknowledge a write (see " + dir_ + ")");
  for (std::size_t i = 0; i < sentinel_ports_.size(); ++i)
    start(sentinel_ports_[i], [&] { write_sentinel_conf(i); }, [&] { return start_sentinel(i); });
  // Sentinels know each other and the replicas before a test starts killing things.
  for (int t = 0; t < 300; ++t) {
    bool all = true;
    for (std::size_t i = 0; i < sentinel_ports_.size() && all; ++i) {
      auto info = sentinel_cli(static_cast<int>(i), {"SENTINEL", "MASTER", kMaster});
      auto pos = info.find("num-other-sentinels");
      auto rep = info.find("num-slaves");
      all = pos != std::string::npos && rep != std::string::npos &&
            std::stoi(info.substr(info.find('\n', pos) + 1)) == o_.sentinels - 1 &&
            std::stoi(info.substr(info.find('\n', rep) + 1)) == o_.replicas;
    }
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("sentinels did not discover each other and the replicas (see " + dir_ + ")");
}

void redis_topology::write_node_conf(std::size_t i) const {
  std::filesystem::create_directories(dir_ + "/node" + std::to_string(i));
  std::ofstream conf(dir_ + "/node" + std::to_string(i) + "/redis.conf");
  conf << "port " << node_ports_[i] << "\nbind 127.0.0.1\ndir " << dir_ << "/node" << i << "\n"
       << "logfile " << dir_ << "/node" << i << "/redis.log\nloglevel notice\nsave \"\"\n"
       << "appendonly yes\nappendfsync everysec\n"
       << "min-replicas-to-write " << (o_.replicas ? o_.min_replicas_to_write : 0) << "\nmin-replicas-max-lag 2\n"
       << "repl-diskless-sync yes\nrepl-diskless-sync-delay 0\n";
  if (i > 0) conf << "replicaof 127.0.0.1 " << node_ports_[0] << "\n";
}

void redis_topology::write_sentinel_conf(std::size_t i) const {
  std::ofstream conf(dir_ + "/sentinel" + std::to_string(i) + ".conf");
  conf << "port " << sentinel_ports_[i] << "\nbind 127.0.0.1\ndir " << dir_ << "\n"
       << "logfile " << dir_ << "/sentinel" << i << ".log\n"
       << "requirepass " << kSentinelPassword << "\n"
       << "sentinel monitor " << kMaster << " 127.0.0.1 " << node_ports_[0] << " " << (o_.sentinels > 1 ? 2 : 1) << "\n"
       << "sentinel down-after-milliseconds " << kMaster << " 1000\n"
       << "sentinel failover-timeout " << kMaster << " 4000\n"
       << "sentinel parallel-syncs " << kMaster << " 2\n"
       << "sentinel sentinel-pass " << kSentinelPassword << "\n";
}

void redis_topology::stop_all() {
  for (auto& p : sentinel_pids_) reap(p, SIGKILL);
  for (auto& p : node_pids_) reap(p, SIGKILL);
  std::error_code ec;
  if (!::getenv("GUICHET_KEEP_HA_DIR")) std::filesystem::remove_all(dir_, ec);
}

redis_topology::~redis_topology() { stop_all(); }

bool redis_topology::start_node(std::size_t i) {
  std::string conf = dir_ + "/node" + std::to_string(i) + "/redis.conf";
  int pid = ::fork();
  if (pid == 0) {
    ::execlp("redis-server", "redis-server", conf.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  node_pids_[i] = pid;
  for (int t = 0; t < 200; ++t) {
    auto pong = cli(node_ports_[i], {"PING"});
    if (pong == "PONG" || pong.starts_with("LOADING")) return true;
    if (exited(node_pids_[i])) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-server did not start on port " + std::to_string(node_ports_[i]));
}

bool redis_topology::start_sentinel(std::size_t i) {
  std::string conf = dir_ + "/sentinel" + std::to_string(i) + ".conf";
  int pid = ::fork();
  if (pid == 0) {
    ::execlp("redis-server", "redis-server", conf.c_str(), "--sentinel", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  sentinel_pids_[i] = pid;
  for (int t = 0; t < 200; ++t) {
    if (sentinel_cli(static_cast<int>(i), {"PING"}) == "PONG") return true;
    if (exited(sentinel_pids_[i])) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-sentinel did not start on port " + std::to_string(sentinel_ports_[i]));
}

std::string redis_topology::sentinels_toml() const {
  std::string s = "[";
  for (auto p : sentinel_ports_) s += std::string(s.size() > 1 ? ", " : "") + "\"127.0.0.1:" + std::to_string(p) + "\"";
  return s + "]";
}

bool redis_topology::wait_replicated(int replicas, int primary) const {
  // SET and WAIT on one connection: a WAIT on a connection that wrote nothing returns at once.
  // A replica counts once it is online, up to a second after its sync.
  int rc = 0;
  auto out = trim(run_command("printf 'SET replicated-probe 1\\nWAIT " + std::to_string(replicas) +
                                  " 10000\\n' | timeout 15 redis-cli -p " +
                                  std::to_string(primary ? primary : node_ports_[0]),
                              rc));
  return out.substr(out.rfind('\n') + 1) == std::to_string(replicas);
}

int redis_topology::primary() const {
  for (std::size_t i = 0; i < sentinel_ports_.size(); ++i) {
    if (sentinel_pids_[i] <= 0) continue;
    auto out = sentinel_cli(static_cast<int>(i), {"SENTINEL", "get-master-addr-by-name", kMaster});
    auto nl = out.find('\n');
    if (nl != std::string::npos) return std::atoi(out.c_str() + nl + 1);
  }
  return 0;
}

int redis_topology::wait_new_primary(int old, std::chrono::milliseconds limit) const {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    int p = primary();
    if (p && p != old && cli(p, {"ROLE"}).starts_with("master")) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

bool redis_topology::wait_replica_synced(int port, std::chrono::milliseconds limit) const {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    auto info = cli(port, {"INFO", "replication"});
    if (info.find("role:slave") != std::string::npos && info.find("master_link_status:up") != std::string::npos)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void redis_topology::kill(int port) {
  for (std::size_t i = 0; i < node_ports_.size(); ++i)
    if (node_ports_[i] == port) reap(node_pids_[i], SIGKILL);
}
void redis_topology::freeze(int port) {
  for (std::size_t i = 0; i < node_ports_.size(); ++i)
    if (node_ports_[i] == port && node_pids_[i] > 0) ::kill(node_pids_[i], SIGSTOP);
}
void redis_topology::thaw(int port) {
  for (std::size_t i = 0; i < node_ports_.size(); ++i)
    if (node_ports_[i] == port && node_pids_[i] > 0) ::kill(node_pids_[i], SIGCONT);
}
void redis_topology::restart(int port) {
  for (std::size_t i = 0; i < node_ports_.size(); ++i)
    if (node_ports_[i] == port && node_pids_[i] <= 0 && !start_node(i))
      throw std::runtime_error("redis-server did not restart on port " + std::to_string(port));
}
void redis_topology::kill_sentinel(int i) { reap(sentinel_pids_[static_cast<std::size_t>(i)], SIGKILL); }

std::string redis_topology::cli(int port, const std::vector<std::string>& args) const {
  std::string cmd = "timeout 5 redis-cli -p " + std::to_string(port);
  for (auto& a : args) cmd += " '" + a + "'";
  int rc = 0;
  return trim(run_command(cmd + " 2>/dev/null", rc));
}

std::string redis_topology::sentinel_cli(int i, const std::vector<std::string>& args) const {
  std::string cmd = "timeout 5 redis-cli --no-auth-warning -a " + std::string(kSentinelPassword) + " -p " +
                    std::to_string(sentinel_ports_[static_cast<std::size_t>(i)]);
  for (auto& a : args) cmd += " '" + a + "'";
  int rc = 0;
  return trim(run_command(cmd + " 2>/dev/null", rc));
}

}  // namespace guichet::test
