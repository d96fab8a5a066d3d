// The embedded scripts: whether a script's writes wait for replicas is declared in its own
// header ("-- replicated: yes"), read by the embed step; these are the ones that change what is
// sold or owed and the waiting room's places and admissions.
#include "gateway/lua/lua_scripts.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace guichet {
namespace {

TEST(lua_scripts, the_scripts_that_change_what_is_sold_or_owed_declare_they_are_replicated) {
  const std::set<std::string> expected{"hold", "confirm", "release", "inventory_load", "room_join", "room_admit"};
  std::set<std::string> replicated;
  for (const redis::lua_script& s : redis::scripts())
    if (s.replicated) replicated.insert(std::string(s.name));
  EXPECT_EQ(replicated, expected);
}

TEST(lua_scripts, every_script_has_its_sha1_and_the_flag_only_from_its_header) {
  for (const redis::lua_script& s : redis::scripts()) {
    EXPECT_EQ(s.sha1.size(), 40u) << s.name;
    EXPECT_EQ(s.replicated, s.body.find("\n-- replicated: yes") != std::string_view::npos) << s.name;
  }
}

}  // namespace
}  // namespace guichet
