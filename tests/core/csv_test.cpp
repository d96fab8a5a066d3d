// RFC 4180 as spreadsheets and exports write it: quoted fields with commas, quotes and line
// breaks, CRLF, a UTF-8 BOM; every broken record named by the line it starts on.
#include "core/csv.hpp"

#include <gtest/gtest.h>

namespace guichet {
namespace {

using fields = std::vector<std::string>;

TEST(csv, plain_records_with_crlf_or_lf_and_blank_lines) {
  auto d = parse_csv("account,groups\r\nfan-1,club\r\n\r\nfan-2,\nfan-3,a;b");
  ASSERT_TRUE(d.errors.empty());
  ASSERT_EQ(d.records.size(), 4u);
  EXPECT_EQ(d.records[0].fields, (fields{"account", "groups"}));
  EXPECT_EQ(d.records[1].fields, (fields{"fan-1", "club"}));
  EXPECT_EQ(d.records[2].line, 4) << "the blank line 3 still counts";
  EXPECT_EQ(d.records[2].fields, (fields{"fan-2", ""}));
  EXPECT_EQ(d.records[3].fields, (fields{"fan-3", "a;b"}));
}

TEST(csv, quoted_fields_hold_commas_quotes_and_line_breaks) {
  auto d = parse_csv("\"fan-1\",\"club,vip\"\r\n\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nfan-3,\"\"\r\n");
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].reason;
  ASSERT_EQ(d.records.size(), 3u);
  EXPECT_EQ(d.records[0].fields, (fields{"fan-1", "club,vip"}));
  EXPECT_EQ(d.records[1].fields, (fields{"say \"hi\"", "two\r\nlines"}));
  EXPECT_EQ(d.records[2].line, 4) << "the record after a two-line field starts on line 4";
  EXPECT_EQ(d.records[2].fields, (fields{"fan-3", ""}));
}

TEST(csv, a_utf8_bom_is_skipped) {
  auto d = parse_csv("\xEF\xBB\xBF" "account,groups\nfan-1,club\n");
  ASSERT_EQ(d.records.size(), 2u);
  EXPECT_EQ(d.records[0].fields, (fields{"account", "groups"}));
}

TEST(csv, trailing_comma_is_an_empty_last_field) {
  EXPECT_EQ(parse_csv("a,").records.at(0).fields, (fields{"a", ""}));
  EXPECT_EQ(parse_csv("a,\nb").records.at(0).fields, (fields{"a", ""}));
}

TEST(csv, broken_records_are_named_and_reading_resumes) {
  auto d = parse_csv("ok-1,x\nfan\"2,x\n\"fan-3\"x,y\nok-4,x\n\"never closed,x\nok-6,x\n");
  ASSERT_EQ(d.errors.size(), 3u);
  EXPECT_EQ(d.errors[0].line, 2);
  EXPECT_NE(d.errors[0].reason.find("quote inside an unquoted field"), std::string::npos);
  EXPECT_EQ(d.errors[1].line, 3);
  EXPECT_EQ(d.errors[1].reason, "text after a closing quote");
  EXPECT_EQ(d.errors[2].line, 5);
  EXPECT_EQ(d.errors[2].reason, "a quoted field is never closed");
  ASSERT_EQ(d.records.size(), 2u) << "the open quote swallows the rest of the file";
  EXPECT_EQ(d.records[1].fields, (fields{"ok-4", "x"}));
}

}  // namespace
}  // namespace guichet
