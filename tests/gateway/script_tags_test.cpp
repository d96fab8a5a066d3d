// A script's refusal tag through a feature's table: the errc (status, code), the details the
// row names as JSON members (strings escaped, numbers only when they are numbers), Retry-After.
#include "gateway/server/script_tags.hpp"

#include <gtest/gtest.h>

#include "gateway/checkout/lua_tags.hpp"
#include "gateway/room/lua_tags.hpp"

namespace guichet {
namespace {

redis::redis_reply answer(std::initializer_list<std::string> elements) {
  redis::redis_reply r;
  r.type = redis::redis_reply::kind::array;
  for (auto& e : elements) r.elements.push_back({redis::redis_reply::kind::string, 0, e, {}});
  return r;
}

TEST(script_tags, a_refusal_carries_its_errc_and_the_details_its_row_names) {
  auto r = server::refusal(11, checkout::hold_refusals, answer({"sold_out", "ATH01", "A", "3"}));
  ASSERT_TRUE(r && r->res);
  EXPECT_EQ(r->error, errc::sold_out);
  EXPECT_EQ(r->res->result_int(), 409u);
  EXPECT_EQ(r->res->body(),
            R"({"error":{"code":"sold_out","message":")" + std::string(info(errc::sold_out).message) +
                R"(","session":"ATH01","category":"A","available":3}})");
}

TEST(script_tags, details_are_escaped_and_a_number_that_is_not_one_becomes_zero) {
  auto r = server::refusal(11, checkout::hold_refusals, answer({"limit_session", "S\"1</x>", "12abc"}));
  ASSERT_TRUE(r && r->res);
  EXPECT_EQ(r->error, errc::limit_session);
  EXPECT_NE(r->res->body().find(R"("session":"S\"1</x>","left":0)"), std::string::npos) << r->res->body();
}

TEST(script_tags, a_row_can_set_retry_after_and_override_the_message) {
  auto full = server::refusal(11, room::room_admit_refusals, answer({"full"}));
  ASSERT_TRUE(full && full->res);
  EXPECT_EQ(full->error, errc::room_full);
  EXPECT_EQ((*full->res)[http::field::retry_after], "5");
  auto unknown = refusal(11, checkout::hold_refusals, answer({"unknown_category", "S1", "Z"}));
  ASSERT_TRUE(unknown && unknown->res);
  EXPECT_NE(unknown->res->body().find("this category is not on sale (inventory not loaded)"), std::string::npos);
}

TEST(script_tags, a_success_or_an_unknown_tag_is_no_refusal) {
  EXPECT_FALSE(server::refusal(11, checkout::hold_refusals, answer({"held", "h1", "123"})));
  EXPECT_FALSE(server::refusal(11, checkout::hold_refusals, answer({"something_new"})));
  EXPECT_FALSE(server::refusal(11, checkout::hold_refusals, redis::redis_reply{}));
}

}  // namespace
}  // namespace guichet
