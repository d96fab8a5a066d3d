#include "core/csv.hpp"

namespace guichet {

csv_document parse_csv(std::string_view text) {
  csv_document doc;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t i = 0;
  int line = 1;
  auto at_end_of_line = [&](std::size_t k) { return k >= text.size() || text[k] == '\n' || text[k] == '\r'; };
  auto skip_line_break = [&] {  // CRLF, LF or a lone CR
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
    ++line;
  };
  auto skip_rest_of_line = [&] {
    while (!at_end_of_line(i)) ++i;
    skip_line_break();
  };
  while (i < text.size()) {
    if (at_end_of_line(i)) {  // a blank line
      skip_line_break();
      continue;
    }
    csv_record rec{line, {}};
    std::string why;
    for (;;) {
      std::string field;
      if (text[i] == '"') {
        ++i;
        for (;;) {
          if (i >= text.size()) {
            why = "a quoted field is never closed";
            break;
          }
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (why.empty() && !at_end_of_line(i) && text[i] != ',') why = "text after a closing quote";
      } else {
        while (!at_end_of_line(i) && text[i] != ',') {
          if (text[i] == '"') {
            why = "a quote inside an unquoted field (quote the whole field and double the quote)";
            break;
          }
          field += text[i++];
        }
      }
      if (!why.empty()) break;
      rec.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        if (i >= text.size()) {  // a trailing comma: one more, empty, field
          rec.fields.emplace_back();
          break;
        }
        continue;
      }
      break;
    }
    if (!why.empty()) {
      doc.errors.push_back({rec.line, why});
      skip_rest_of_line();
      continue;
    }
    skip_line_break();
    doc.records.push_back(std::move(rec));
  }
  return doc;
}

}  // namespace guichet
