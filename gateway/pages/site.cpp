#include "gateway/pages/site.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/digest.hpp"
#include "core/json_escape.hpp"

namespace guichet::pages {

namespace fs = std::filesystem;
namespace {


std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string_view content_type(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".png") return "image/png";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".html") return "text/html; charset=utf-8";
  return {};
}

std::string etag_of(std::string_view body) { return "\"" + sha256_hex(body).substr(0, 20) + "\""; }

void append_html_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

using strings = std::map<std::string, std::string, std::less<>>;

strings read_strings(const fs::path& p) {
  strings out;
  simdjson::ondemand::parser parser;
  auto text = simdjson::padded_string(read_file(p));
  try {
    auto doc = parser.iterate(text);
    for (auto field : doc.get_object()) {
      std::string key(std::string_view(field.unescaped_key()));
      out[key] = std::string(std::string_view(field.value().get_string()));
    }
  } catch (const simdjson::simdjson_error& e) {
    throw std::runtime_error(p.string() + ": not a flat JSON object of strings (" + e.what() + ")");
  }
  return out;
}

}  // namespace

namespace {

// Every language's strings; each has every key of every other.
std::map<std::string, strings, std::less<>> read_languages(const fs::path& root) {
  std::map<std::string, strings, std::less<>> langs;
  for (auto lang : web_site::languages) langs[std::string(lang)] = read_strings(root / "i18n" / (std::string(lang) + ".json"));
  for (auto& [lang, s] : langs)
    for (auto& [other_lang, other] : langs)
      for (auto& [key, text] : other)
        if (!s.count(key))
          throw std::runtime_error((root / "i18n" / (lang + ".json")).string() + ": missing key '" + key + "' (in " +
                                   other_lang + ".json)");
  return langs;
}

// Pieces every page shares (the head, the header), pasted in by {{include:name}} first.
std::string expand_includes(const fs::path& root, const fs::path& page, std::string text) {
  for (std::size_t at; (at = text.find("{{include:")) != std::string::npos;) {
    auto close = text.find("}}", at);
    if (close == std::string::npos) throw std::runtime_error(page.string() + ": unclosed {{include:");
    const fs::path part = root / "partials" / text.substr(at + 10, close - at - 10);
    if (part.filename() != part.lexically_relative(root / "partials") || !fs::is_regular_file(part))
      throw std::runtime_error(page.string() + ": no partial '" + text.substr(at + 10, close - at - 10) + "' in partials/");
    std::string piece = read_file(part);
    while (!piece.empty() && piece.back() == '\n') piece.pop_back();
    text.replace(at, close + 2 - at, piece);
  }
  return text;
}

// A language's strings as a JSON object, safe inside <script type="application/json">: no "</script>".
std::string strings_json(const strings& s) {
  std::string json = "{";
  for (auto& [key, text] : s) {
    if (json.size() > 1) json += ',';
    json += json_quoted(key) + ":" + json_quoted(text);
  }
  json += "}";
  std::string safe;
  for (char c : json)
    if (c == '<') safe += "\\u003c";
    else safe += c;
  return safe;
}

}  // namespace

void web_site::load_assets(const fs::path& dir) {
  for (auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const fs::path& p = entry.path();
    auto type = content_type(p);
    if (type.empty()) throw std::runtime_error(p.string() + ": unknown asset type (.js, .css, .png, .svg)");
    std::string body = read_file(p), hash = sha256_hex(body).substr(0, 10);
    std::string hashed = p.stem().string() + "." + hash + p.extension().string();
    hashed_[p.filename().string()] = hashed;
    assets_[hashed] = file{std::move(body), std::string(type), "\"" + hash + "\""};
  }
}

std::string web_site::render(const fs::path& page, const std::string& tpl, const std::string& lang,
                             const strings& s) const {
  const std::string json = strings_json(s);
  std::string out;
  std::size_t at = 0;
  while (true) {
    auto open = tpl.find("{{", at);
    if (open == std::string::npos) break;
    auto close = tpl.find("}}", open);
    if (close == std::string::npos) throw std::runtime_error(page.string() + ": unclosed {{");
    out.append(tpl, at, open - at);
    std::string_view tag(tpl.data() + open + 2, close - open - 2);
    if (tag.starts_with("t:")) {
      auto it = s.find(tag.substr(2));
      if (it == s.end()) throw std::runtime_error(page.string() + ": no string '" + std::string(tag.substr(2)) + "'");
      append_html_escaped(out, it->second);
    } else if (tag.starts_with("asset:")) {
      if (!hashed_.count(tag.substr(6)))
        throw std::runtime_error(page.string() + ": no asset '" + std::string(tag.substr(6)) + "' in static/");
      out += url(tag.substr(6));
    } else if (tag == "lang") {
      out += lang;
    } else if (tag == "strings") {
      out += json;
    } else {
      throw std::runtime_error(page.string() + ": unknown placeholder {{" + std::string(tag) + "}}");
    }
    at = close + 2;
  }
  out.append(tpl, at);
  return out;
}

std::shared_ptr<const web_site> web_site::load(const std::string& root_dir) {
  auto site = std::make_shared<web_site>();
  const fs::path root(root_dir);
  if (!fs::is_directory(root / "static") || !fs::is_directory(root / "pages") || !fs::is_directory(root / "i18n"))
    throw std::runtime_error(root_dir + ": [web] root needs the directories static/, pages/ and i18n/");
  site->load_assets(root / "static");
  const auto langs = read_languages(root);
  for (auto& entry : fs::directory_iterator(root / "pages")) {
    const fs::path& p = entry.path();
    if (!entry.is_regular_file() || p.extension() != ".html") continue;
    const std::string tpl = expand_includes(root, p, read_file(p));
    for (auto& [lang, s] : langs) {
      std::string out = site->render(p, tpl, lang, s);
      auto etag = etag_of(out);
      site->pages_[p.stem().string() + "/" + lang] = file{std::move(out), "text/html; charset=utf-8", etag};
    }
  }
  for (auto name : {"register", "wait", "shop"})
    if (!site->page(name, "en")) throw std::runtime_error((root / "pages").string() + ": missing " + name + ".html");
  return site;
}

std::string_view web_site::pick_language(std::string_view query_lang, std::string_view accept) {
  for (auto l : languages)
    if (query_lang == l) return l;
  // Accept-Language: fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5 — the first best q among ours wins.
  std::string_view best = "en";
  int best_q = -1;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto semi = item.find(';');
    std::string_view tag = item.substr(0, semi);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    int q = 1000;
    if (semi != std::string_view::npos) {
      auto qp = item.find("q=", semi);
      if (qp != std::string_view::npos) {
        std::string_view qs = item.substr(qp + 2);
        double d = 0;
        auto [ptr, ec] = std::from_chars(qs.data(), qs.data() + qs.size(), d);
        q = ec == std::errc() ? static_cast<int>(d * 1000) : 0;
      }
    }
    std::string_view primary = tag.substr(0, tag.find('-'));
    for (auto l : languages)
      if (primary.size() == 2 && (primary[0] | 0x20) == l[0] && (primary[1] | 0x20) == l[1] && q > best_q && q > 0)
        best = l, best_q = q;
  }
  return best;
}

const web_site::file* web_site::page(std::string_view name, std::string_view lang) const {
  std::string key(name);
  key += '/';
  key += lang;
  auto it = pages_.find(key);
  return it == pages_.end() ? nullptr : &it->second;
}

const web_site::file* web_site::asset(std::string_view hashed_name) const {
  auto it = assets_.find(hashed_name);
  return it == assets_.end() ? nullptr : &it->second;
}

std::string web_site::url(std::string_view name) const {
  auto it = hashed_.find(name);
  return it == hashed_.end() ? std::string() : "/static/" + it->second;
}

}  // namespace guichet::pages
