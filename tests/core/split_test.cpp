#include "core/split.hpp"

#include <gtest/gtest.h>

namespace guichet {
namespace {

TEST(split, keeps_empty_fields_and_the_last_one) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split("open\n12\n\n", '\n'), (std::vector<std::string_view>{"open", "12", "", ""}));
}

TEST(to_u64, reads_the_leading_digits_or_gives_zero) {
  EXPECT_EQ(to_u64("1796256422655"), 1796256422655u);
  EXPECT_EQ(to_u64("42abc"), 42u);
  EXPECT_EQ(to_u64(""), 0u);
  EXPECT_EQ(to_u64("-1"), 0u);
}

}  // namespace
}  // namespace guichet
