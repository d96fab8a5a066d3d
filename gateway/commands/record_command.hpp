#pragma once
#include <string>

#include "core/audit.hpp"
#include "core/config.hpp"
#include "gateway/redis/blocking_client.hpp"

namespace guichet::commands {

/// An ops command's audit entry ("cli:<unix user>" from this host): XADD to the edition's stream
/// on the command's own connection, then the [audit] file. Returns "" or what went wrong.
std::string record_command(const config& cfg, redis::blocking_client& redis, audit_entry e);

}  // namespace guichet::commands
