#include "loadtest/json_reply.hpp"

#include <gtest/gtest.h>

namespace guichet::loadtest {
namespace {

TEST(json_reply, reads_values_by_json_pointer) {
  std::string_view body = R"({"known":true,"position":42,"queue_token":"q.abc","admissible":false})";
  EXPECT_EQ(json_string(body, "/queue_token"), "q.abc");
  EXPECT_EQ(json_int(body, "/position"), 42);
  EXPECT_TRUE(json_true(body, "/known"));
  EXPECT_FALSE(json_true(body, "/admissible"));
  EXPECT_FALSE(json_true(body, "/missing"));
  EXPECT_EQ(json_string(body, "/missing"), std::nullopt);
}

TEST(json_reply, types_must_match) {
  std::string_view body = R"({"position":"42","code":7,"known":"true"})";
  EXPECT_EQ(json_int(body, "/position"), std::nullopt);
  EXPECT_EQ(json_string(body, "/code"), std::nullopt);
  EXPECT_FALSE(json_true(body, "/known"));
}

TEST(json_reply, decodes_escapes_and_tells_nested_members_apart) {
  std::string_view body = R"({"detail":{"code":"inner"},"message":"say \"hi\"\u00e9","code":"outer","error":{"pow":{"bits":8}}})";
  EXPECT_EQ(json_string(body, "/message"), "say \"hi\"\xc3\xa9");
  EXPECT_EQ(json_string(body, "/code"), "outer");
  EXPECT_EQ(json_string(body, "/detail/code"), "inner");
  EXPECT_EQ(json_int(body, "/error/pow/bits"), 8);
  EXPECT_EQ(json_int(body, "/bits"), std::nullopt);
}

TEST(json_reply, what_is_not_json_has_no_values) {
  for (std::string_view body : {"", "not json", "[1,2]", R"({"code":"x")", "<html>\"code\":\"x\"</html>"}) {
    EXPECT_EQ(json_string(body, "/code"), std::nullopt) << body;
    EXPECT_EQ(json_int(body, "/code"), std::nullopt) << body;
  }
}

}  // namespace
}  // namespace guichet::loadtest
