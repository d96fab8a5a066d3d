#include "gateway/http/router.hpp"

#include <gtest/gtest.h>

namespace guichet {
namespace {

http::router make() {
  http::router r;
  r.add(http::verb::get, "/healthz", "healthz");
  r.add(http::verb::get, "/rooms/{edition}/{phase}", "room_state");
  r.add(http::verb::post, "/rooms/{edition}/{phase}/join", "join");
  r.add(http::verb::get, "/rooms/{edition}/special", "special");
  r.add(http::verb::delete_, "/holds/{id}", "release");
  r.add(http::verb::get, "/holds/{id}", "get_hold");
  return r;
}

TEST(router, matches_literals_and_captures_params) {
  auto r = make();
  http::path_params p;
  auto m = r.find(http::verb::get, "/rooms/paris2024/packs?x=1", p);
  ASSERT_EQ(m.result, http::router::match::kind::found);
  EXPECT_EQ(r.name(m.route), "room_state");
  EXPECT_EQ(p.get("edition"), "paris2024");
  EXPECT_EQ(p.get("phase"), "packs");
  EXPECT_EQ(p.get("nope"), "");
}

TEST(router, literal_segment_wins_over_parameter) {
  auto r = make();
  http::path_params p;
  auto m = r.find(http::verb::get, "/rooms/paris2024/special", p);
  ASSERT_EQ(m.result, http::router::match::kind::found);
  EXPECT_EQ(r.name(m.route), "special");
}

TEST(router, not_found_and_method_not_allowed_with_allow) {
  auto r = make();
  http::path_params p;
  EXPECT_EQ(r.find(http::verb::get, "/nope", p).result, http::router::match::kind::not_found);
  EXPECT_EQ(r.find(http::verb::get, "/rooms/x", p).result, http::router::match::kind::not_found);
  EXPECT_EQ(r.find(http::verb::get, "/rooms/x/y/z/w", p).result, http::router::match::kind::not_found);
  EXPECT_EQ(r.find(http::verb::get, "/rooms//y", p).result, http::router::match::kind::not_found);
  EXPECT_EQ(r.find(http::verb::get, "healthz", p).result, http::router::match::kind::not_found);
  EXPECT_EQ(r.find(http::verb::get, "/healthz/", p).result, http::router::match::kind::not_found);
  auto m = r.find(http::verb::post, "/holds/h1", p);
  ASSERT_EQ(m.result, http::router::match::kind::method_not_allowed);
  EXPECT_EQ(m.allow, "DELETE, GET");
}

TEST(router, a_path_deeper_than_any_route_is_not_found_and_a_route_too_deep_is_refused) {
  auto r = make();
  r.add(http::verb::get, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/{p}", "deepest");
  http::path_params p;
  auto m = r.find(http::verb::get, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/last", p);
  ASSERT_EQ(m.result, http::router::match::kind::found);
  EXPECT_EQ(p.get("p"), "last");
  std::string deeper;
  for (int i = 0; i < 1000; ++i) deeper += "/x";
  EXPECT_EQ(r.find(http::verb::get, deeper, p).result, http::router::match::kind::not_found);
  EXPECT_EQ(r.find(http::verb::get, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/last/", p).result,
            http::router::match::kind::not_found);
  EXPECT_THROW(r.add(http::verb::get, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", "too_deep"), std::invalid_argument);
}

}  // namespace
}  // namespace guichet
