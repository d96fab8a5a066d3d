#include "gateway/http/request.hpp"

#include <boost/beast/core/string.hpp>

namespace guichet::http {

template <class F>
void request::each_field(F&& f) const {
  std::string_view rest = fields_;
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!f(line.substr(0, colon), value)) return;
  }
}

std::string_view request::operator[](std::string_view name) const {
  if (!indexed()) {
    std::string_view found;
    each_field([&](std::string_view n, std::string_view v) {
      if (!boost::beast::iequals(n, name)) return true;
      found = v;
      return false;
    });
    return found;
  }
  for (std::size_t i = 0; i < n_fields_; ++i)
    if (index_[i].name_size == name.size() && boost::beast::iequals(name_of(index_[i]), name)) return value_of(index_[i]);
  return {};
}

std::string_view request::operator[](http::field f) const {
  if (f == http::field::unknown || !indexed()) return (*this)[http::to_string(f)];
  for (std::size_t i = 0; i < n_fields_; ++i)
    if (index_[i].name == f) return value_of(index_[i]);
  return {};
}

std::size_t request::count(http::field f) const {
  std::size_t n = 0;
  if (f == http::field::unknown || !indexed()) {
    const std::string_view name = http::to_string(f);
    each_field([&](std::string_view k, std::string_view) {
      n += boost::beast::iequals(k, name);
      return true;
    });
    return n;
  }
  for (std::size_t i = 0; i < n_fields_; ++i) n += index_[i].name == f;
  return n;
}

void request::own_head() {
  if (!head_.empty()) return;
  head_.reserve(method_string_.size() + target_.size() + fields_.size());
  head_.append(method_string_).append(target_).append(fields_);
  std::string_view h = head_;
  method_string_ = h.substr(0, method_string_.size());
  target_ = h.substr(method_string_.size(), target_.size());
  fields_ = h.substr(method_string_.size() + target_.size());
}

void request_parser::on_request_impl(http::verb method, sv method_str, sv target,
                                     int version, boost::system::error_code&) {
  req_.method_ = method;
  req_.method_string_ = method_str;
  req_.target_ = target;
  req_.version_ = static_cast<unsigned>(version);
}

void request_parser::on_field_impl(http::field f, sv name, sv value,
                                   boost::system::error_code&) {
  // The field lines are contiguous in the buffer: remember where the first starts and the last ends.
  if (is_header_done()) return;  // a chunked body's trailer fields are not kept
  // (An empty value is not looked at: its view need not point into the buffer; the line then
  // ends with the name's colon.)
  const char* begin = req_.fields_.empty() ? name.data() : req_.fields_.data();
  const char* end = value.empty() ? name.data() + name.size() + 1 : value.data() + value.size();
  req_.fields_ = std::string_view(begin, static_cast<std::size_t>(end - begin));
  if (req_.n_fields_ < request::kIndexed) {
    auto at = [begin](const char* p) { return static_cast<std::uint32_t>(p - begin); };
    req_.index_[req_.n_fields_] = {f, at(name.data()), static_cast<std::uint32_t>(name.size()),
                                   value.empty() ? 0 : at(value.data()), static_cast<std::uint32_t>(value.size())};
  }
  ++req_.n_fields_;
}

void request_parser::on_header_impl(boost::system::error_code&) { req_.keep_alive_ = keep_alive(); }

void request_parser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                       boost::system::error_code&) {
  if (content_length) req_.body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t request_parser::on_body_impl(sv body, boost::system::error_code&) {
  req_.body_.append(body.data(), body.size());
  return body.size();
}

}  // namespace guichet::http
