#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::pages {

/// The fans' pages and their assets, read once from `[web] root` and kept in memory:
///   static/   CSS and JavaScript, served as /static/{name}.{10 hex of SHA-256}.{ext}
///   pages/    HTML templates: {{t:key}} (a string of the page's language, HTML-escaped),
///             {{asset:name}} (an asset's hashed URL), {{lang}}, {{strings}} (every string of the
///             language as JSON, for the scripts)
///   i18n/     en.json and fr.json, flat {"key": "text"}; both must have the same keys
///   partials/ pieces the pages share, pasted in first by {{include:name}} (one level)
/// Every page is rendered once per language at load. Nothing is read from disk afterwards.
class web_site {
 public:
  struct file {
    std::string body;
    std::string content_type;
    std::string etag;
  };

  /// Throws std::runtime_error naming the file and the problem.
  static std::shared_ptr<const web_site> load(const std::string& root);

  static constexpr std::string_view languages[] = {"en", "fr"};
  /// `?lang=` when it names a language, else the best of Accept-Language by q-value, else "en".
  static std::string_view pick_language(std::string_view query_lang, std::string_view accept_language);

  /// The page ("register", "wait", "shop") in a language, or null.
  const file* page(std::string_view name, std::string_view lang) const;
  /// The asset by its hashed name ("wait.0123456789.js"), or null.
  const file* asset(std::string_view hashed_name) const;
  /// Hashed URL of an asset by its plain name ("wait.js" -> "/static/wait.0123456789.js").
  std::string url(std::string_view name) const;
  std::size_t asset_count() const { return assets_.size(); }

 private:
  using strings = std::map<std::string, std::string, std::less<>>;
  void load_assets(const std::filesystem::path& dir);
  /// A page's template in one language: {{t:key}}, {{asset:name}}, {{lang}}, {{strings}} filled in.
  std::string render(const std::filesystem::path& page, const std::string& tpl, const std::string& lang,
                     const strings& s) const;

  std::map<std::string, file, std::less<>> assets_;          // hashed name -> file
  std::map<std::string, std::string, std::less<>> hashed_;   // plain name -> hashed name
  std::map<std::string, file, std::less<>> pages_;           // "wait/fr" -> page
};

}  // namespace guichet::pages
