#include "core/errc.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace guichet {
namespace {

TEST(errc, every_error_has_a_status_and_a_unique_stable_code) {
  std::set<std::string_view> codes;
  for (int i = 0; i <= static_cast<int>(errc::registration_closed); ++i) {
    const auto& e = info(static_cast<errc>(i));
    EXPECT_GE(e.status, 200);
    EXPECT_LT(e.status, 600);
    EXPECT_FALSE(e.message.empty());
    EXPECT_TRUE(codes.insert(e.code).second) << e.code;
  }
  EXPECT_EQ(info(errc::headers_too_large).status, 431);
  EXPECT_EQ(info(errc::rate_limited).status, 429);
  std::error_code ec = errc::not_found;
  EXPECT_EQ(ec.message(), "not_found");
  EXPECT_EQ(info(static_cast<errc>(9999)).code, "internal");
}

}  // namespace
}  // namespace guichet
