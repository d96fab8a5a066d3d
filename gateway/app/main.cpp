// guichet: wires config, routes and the server together; all logic lives in the libraries.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstring>
#include <iostream>
#include <vector>

#include "gateway/base/log.hpp"
#include "gateway/base/process_setup.hpp"
#include "gateway/base/version.hpp"
#include "gateway/checkout/routes.hpp"
#include "gateway/commands/draw.hpp"
#include "gateway/commands/load_inventory.hpp"
#include "gateway/ops/routes.hpp"
#include "gateway/room/routes.hpp"
#include "gateway/server/server.hpp"
#include "gateway/pages/routes.hpp"
#include "gateway/pages/site.hpp"

namespace {

constexpr const char* kUsage =
    "usage: guichet --config FILE [--check-config | --load-inventory]\n"
    "       guichet --config FILE --draw-commit EDITION PHASE\n"
    "       guichet --config FILE --draw EDITION PHASE SEED OUT_DIR\n"
    "       guichet --config FILE --import-registrations EDITION PHASE FILE.csv\n"
    "       guichet --script NAME   (prints an embedded Lua script, includes expanded)\n"
    "       guichet --help | --version\n";

int usage() {
  std::cerr << kUsage;
  return 2;
}

// --check-config: a config the gateway cannot start with is refused here, secrets included.
int check_config(const std::string& path, const guichet::config& cfg) {
  auto problems = guichet::identity::check_secrets(cfg);
  if (!cfg.web.root.empty()) try {
      guichet::pages::web_site::load(cfg.web.root);
    } catch (const std::exception& e) {
      problems.push_back(e.what());
    }
  for (auto& p : problems) std::cerr << path << ": " << p << '\n';
  if (!problems.empty()) return 1;
  std::cout << path << ": ok\n";
  return 0;
}

// The draw commands: the command and its operands.
int draw_command(const guichet::config& cfg, const std::vector<std::string>& a) {
  if (a[0] == "--draw-commit") return guichet::commands::draw_commit(cfg, a[1], a[2], std::cout);
  if (a[0] == "--draw") return guichet::commands::draw_run(cfg, a[1], a[2], a[3], a[4], std::cout);
  return guichet::commands::import_registrations(cfg, a[1], a[2], a[3], std::cout);
}

// --script NAME: the embedded script, includes expanded.
int print_script(std::string_view name) {
  for (auto& s : guichet::redis::scripts())
    if (s.name == name) {
      std::cout << s.body;
      return 0;
    }
  std::cerr << "no script named " << name << "\n";
  return 2;
}

// The gateway: serves until SIGTERM/SIGINT (then drains); SIGHUP reloads the config file.
int serve(const std::string& path, const guichet::config& cfg) {
  try {
    guichet::log::set_level(cfg.log);
    guichet::server::route_table routes;
    guichet::ops::add_ops_routes(routes);
    guichet::room::add_room_routes(routes);
    guichet::checkout::add_checkout_routes(routes);
    if (!cfg.web.root.empty()) guichet::pages::add_web_routes(routes, guichet::pages::web_site::load(cfg.web.root));
    guichet::server::server srv(cfg, std::move(routes), guichet::identity::load_runtime_secrets(cfg));
    srv.start();

    boost::asio::io_context signals_io;
    boost::asio::signal_set stop(signals_io, SIGINT, SIGTERM);
    boost::asio::signal_set hup(signals_io, SIGHUP);
    stop.async_wait([&](boost::system::error_code, int sig) {
      guichet::log::info("draining", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
      hup.cancel();
    });
    std::function<void()> wait_hup = [&] {
      hup.async_wait([&](boost::system::error_code ec, int) {
        if (ec) return;
        auto again = guichet::load_config(path);
        if (!again.errors.empty()) {
          for (auto& e : again.errors) guichet::log::error("config reload refused", {{"error", e.to_string()}});
        } else {
          srv.reload(again.value);
        }
        wait_hup();
      });
    };
    wait_hup();
    signals_io.run();
    srv.drain();
  } catch (const std::exception& e) {
    guichet::log::error("fatal", {{"error", e.what()}});
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  guichet::base::prepare_process();
  std::string path;
  bool check_only = false, load_only = false;
  std::vector<std::string> draw_args;  // the draw command and its operands
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return std::cout << kUsage, 0;
    if (!std::strcmp(argv[i], "--version")) return std::cout << "guichet " GUICHET_VERSION "\n", 0;
    if (!std::strcmp(argv[i], "--config") && i + 1 < argc) path = argv[++i];
    else if (!std::strcmp(argv[i], "--check-config")) check_only = true;
    else if (!std::strcmp(argv[i], "--load-inventory")) load_only = true;
    else if (!std::strcmp(argv[i], "--draw-commit") && i + 2 < argc) draw_args = {argv[i], argv[i + 1], argv[i + 2]}, i += 2;
    else if (!std::strcmp(argv[i], "--draw") && i + 4 < argc)
      draw_args = {argv[i], argv[i + 1], argv[i + 2], argv[i + 3], argv[i + 4]}, i += 4;
    else if (!std::strcmp(argv[i], "--import-registrations") && i + 3 < argc)
      draw_args = {argv[i], argv[i + 1], argv[i + 2], argv[i + 3]}, i += 3;
    else if (!std::strcmp(argv[i], "--script") && i + 1 < argc) return print_script(argv[i + 1]);
    else return usage();
  }
  if (path.empty()) return usage();

  auto loaded = guichet::load_config(path);
  for (auto& e : loaded.errors) std::cerr << e.to_string() << '\n';
  if (!loaded.errors.empty()) return 1;
  if (check_only) return check_config(path, loaded.value);
  if (load_only) return guichet::commands::load_inventory(loaded.value, std::cout);
  if (!draw_args.empty()) return draw_command(loaded.value, draw_args);
  return serve(path, loaded.value);
}
