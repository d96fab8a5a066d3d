#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace guichet {

/// One CSV record and the line it starts on (1-based; a quoted field may span lines).
struct csv_record {
  int line = 0;
  std::vector<std::string> fields;
};

struct csv_error {
  int line = 0;
  std::string reason;
};

struct csv_document {
  std::vector<csv_record> records;  ///< blank lines are skipped
  std::vector<csv_error> errors;    ///< records that could not be read (they are not in `records`)
};

/// Parses CSV as RFC 4180 writes it: fields separated by commas, records by CRLF (or LF), a
/// field in double quotes may hold commas, line breaks and doubled quotes (""); a UTF-8 BOM at
/// the start is skipped. A stray quote inside an unquoted field, text after a closing quote or a
/// quote left open is an error for that record, and reading resumes at the next line.
csv_document parse_csv(std::string_view text);

}  // namespace guichet
