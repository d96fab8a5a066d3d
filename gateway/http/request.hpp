#pragma once
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace guichet::http {

// guichet's HTTP layer (this folder) speaks Beast's vocabulary: http::verb, http::status,
// http::field, the parser and message templates are reachable as http:: names too.
using namespace boost::beast::http;

/// One request as read off the wire. The request line and the fields are views into the
/// connection's read buffer — nothing copied, nothing allocated — valid until the session
/// consumes those bytes (after the answer is written); a request with a body owns a copy of its
/// head instead (`own_head`), since reading the body moves the buffer. While parsing, the
/// request notes each field's name (as Beast's enum) and where its value lies: a lookup is a scan
/// of those few entries, not of the text. A request of more fields than the index holds is
/// looked up in the field lines themselves, which Beast's parser has already validated.
class request {
 public:
  http::verb method() const { return method_; }
  std::string_view target() const { return target_; }
  unsigned version() const { return version_; }
  bool keep_alive() const { return keep_alive_; }
  /// The first value of the field, without surrounding whitespace; empty when absent.
  std::string_view operator[](http::field f) const;
  std::string_view operator[](std::string_view name) const;
  std::size_t count(http::field f) const;
  const std::string& body() const { return body_; }

 private:
  friend class request_parser;
  /// Where one field line lies, as offsets from the start of `fields_` (which own_head moves).
  struct field_entry {
    http::field name;
    std::uint32_t name_at, name_size, value_at, value_size;
  };
  static constexpr std::size_t kIndexed = 32;
  template <class F>
  void each_field(F&& f) const;
  void own_head();
  std::string_view name_of(const field_entry& e) const { return fields_.substr(e.name_at, e.name_size); }
  std::string_view value_of(const field_entry& e) const { return fields_.substr(e.value_at, e.value_size); }
  /// False when the index overflowed: look in the text.
  bool indexed() const { return n_fields_ <= kIndexed; }

  http::verb method_ = http::verb::unknown;
  std::string_view method_string_, target_, fields_;  ///< fields_: the field lines, CRLF-separated
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string head_;  ///< the head's bytes, once owned
  std::string body_;
  std::array<field_entry, kIndexed> index_;  ///< the first n_fields_ (at most kIndexed) fields
  std::size_t n_fields_ = 0;                  ///< every field of the head, indexed or not
};

/// Beast's HTTP/1.1 parser with callbacks that fill a `request` (see there). Feed it the whole
/// header block with `put`, then the body, if any, through Beast's read functions.
class request_parser : public http::basic_parser<true> {
 public:
  request& get() { return req_; }
  const request& get() const { return req_; }
  /// Copies the head into the request, so that the read buffer may move (before a body read).
  void own_head() { req_.own_head(); }

 private:
  using sv = boost::beast::string_view;  // Beast's own (boost::core::string_view)
  void on_request_impl(http::verb method, sv method_str, sv target, int version,
                       boost::system::error_code& ec) override;
  void on_response_impl(int, sv, int, boost::system::error_code&) override {}
  void on_field_impl(http::field, sv name, sv value, boost::system::error_code&) override;
  void on_header_impl(boost::system::error_code&) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, boost::system::error_code&) override;
  std::size_t on_body_impl(sv body, boost::system::error_code&) override;
  void on_chunk_header_impl(std::uint64_t, sv, boost::system::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, sv body, boost::system::error_code& ec) override {
    return on_body_impl(body, ec);
  }
  void on_finish_impl(boost::system::error_code&) override {}

  request req_;
};

}  // namespace guichet::http
