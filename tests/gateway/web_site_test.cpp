// The fan pages' loader: language choice, content-hashed names, rendering, and the refusals
// that stop a broken web root at start.
#include "gateway/pages/site.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/digest.hpp"

namespace guichet {
namespace {

namespace fs = std::filesystem;

TEST(web_site, language_from_the_query_then_accept_language_by_q_then_english) {
  EXPECT_EQ(pages::web_site::pick_language("fr", "en"), "fr");
  EXPECT_EQ(pages::web_site::pick_language("de", "fr-CH, fr;q=0.9, en;q=0.8"), "fr");
  EXPECT_EQ(pages::web_site::pick_language("", "de-DE, en;q=0.5, fr;q=0.7"), "fr");
  EXPECT_EQ(pages::web_site::pick_language("", "FR"), "fr");
  EXPECT_EQ(pages::web_site::pick_language("", "fr;q=0, en"), "en");
  EXPECT_EQ(pages::web_site::pick_language("", "de, es;q=0.9"), "en");
  EXPECT_EQ(pages::web_site::pick_language("", ""), "en");
  EXPECT_EQ(pages::web_site::pick_language("", ",,;q=,fr;q=abc, en;q=0.1"), "en");
}

class web_root : public ::testing::Test {
 protected:
  web_root() : dir(fs::temp_directory_path() / ("guichet-web-" + std::to_string(::getpid()))) {
    for (auto d : {"pages", "static", "i18n"}) fs::create_directories(dir / d);
    write("static/app.js", "console.log(1);\n");
    write("i18n/en.json", R"({"hello":"Hello <you>","site":"Tickets"})");
    write("i18n/fr.json", R"({"hello":"Bonjour","site":"Billetterie"})");
    for (auto p : {"register", "wait", "shop"})
      write(std::string("pages/") + p + ".html",
            R"(<html lang="{{lang}}"><h1>{{t:hello}}</h1><script src="{{asset:app.js}}"></script><script type="application/json">{{strings}}</script>)");
  }
  ~web_root() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; }
  std::string error() {
    try {
      pages::web_site::load(dir.string());
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir;
};

TEST_F(web_root, pages_are_rendered_per_language_with_hashed_asset_urls) {
  auto site = pages::web_site::load(dir.string());
  std::string hashed = "/static/app." + sha256_hex("console.log(1);\n").substr(0, 10) + ".js";
  EXPECT_EQ(site->url("app.js"), hashed);
  ASSERT_TRUE(site->asset(hashed.substr(8)));
  EXPECT_EQ(site->asset(hashed.substr(8))->content_type, "text/javascript; charset=utf-8");
  EXPECT_FALSE(site->asset("app.0000000000.js"));
  const auto* en = site->page("wait", "en");
  const auto* fr = site->page("wait", "fr");
  ASSERT_TRUE(en && fr);
  EXPECT_NE(en->body.find(R"(<html lang="en"><h1>Hello &lt;you&gt;</h1>)"), std::string::npos) << en->body;
  EXPECT_NE(fr->body.find("<h1>Bonjour</h1>"), std::string::npos);
  EXPECT_NE(en->body.find("src=\"" + hashed + "\""), std::string::npos);
  // The strings for the scripts cannot close their <script> element.
  EXPECT_NE(en->body.find(R"("hello":"Hello \u003cyou>")"), std::string::npos) << en->body;
  EXPECT_NE(en->etag, fr->etag);
  EXPECT_FALSE(site->page("nope", "en"));
}

TEST_F(web_root, shared_pieces_are_included_before_rendering) {
  fs::create_directories(dir / "partials");
  write("partials/head.html", "<h2>{{t:site}}</h2>\n");
  write("pages/shop.html", "<main>{{include:head.html}}|{{t:hello}}</main>");
  auto site = pages::web_site::load(dir.string());
  EXPECT_EQ(site->page("shop", "fr")->body, "<main><h2>Billetterie</h2>|Bonjour</main>");
}

TEST_F(web_root, a_broken_root_is_refused_naming_the_file_and_the_problem) {
  write("i18n/fr.json", R"({"hello":"Bonjour"})");
  EXPECT_NE(error().find("fr.json: missing key 'site' (in en.json)"), std::string::npos) << error();
  write("i18n/fr.json", R"({"hello":"Bonjour","site":"B","extra":"x"})");
  EXPECT_NE(error().find("en.json: missing key 'extra' (in fr.json)"), std::string::npos) << error();
  write("i18n/fr.json", R"({"hello":"Bonjour","site":"Billetterie"})");
  write("pages/wait.html", "{{t:nope}}");
  EXPECT_NE(error().find("wait.html: no string 'nope'"), std::string::npos) << error();
  write("pages/wait.html", "{{asset:missing.js}}");
  EXPECT_NE(error().find("wait.html: no asset 'missing.js' in static/"), std::string::npos) << error();
  write("pages/wait.html", "{{include:head.html}}");
  EXPECT_NE(error().find("wait.html: no partial 'head.html' in partials/"), std::string::npos) << error();
  write("pages/wait.html", "{{include:../i18n/en.json}}");
  EXPECT_NE(error().find("wait.html: no partial '../i18n/en.json'"), std::string::npos) << error();
  write("pages/wait.html", "{{whatever}}");
  EXPECT_NE(error().find("wait.html: unknown placeholder {{whatever}}"), std::string::npos) << error();
  write("pages/wait.html", "{{lang");
  EXPECT_NE(error().find("wait.html: unclosed {{"), std::string::npos) << error();
  fs::remove(dir / "pages/wait.html");
  EXPECT_NE(error().find("missing wait.html"), std::string::npos) << error();
  write("i18n/en.json", "[1,2]");
  EXPECT_NE(error().find("en.json: not a flat JSON object of strings"), std::string::npos) << error();
  write("static/notes.txt", "x");
  EXPECT_NE(error().find("notes.txt: unknown asset type"), std::string::npos) << error();
  fs::remove_all(dir / "i18n");
  EXPECT_NE(error().find("needs the directories static/, pages/ and i18n/"), std::string::npos) << error();
}

TEST(web_site, the_shipped_pages_load) {
  auto site = pages::web_site::load(GUICHET_SOURCE_DIR "/web");
  for (auto page : {"register", "wait", "shop"})
    for (auto lang : pages::web_site::languages) EXPECT_TRUE(site->page(page, lang)) << page << " " << lang;
  EXPECT_GE(site->asset_count(), 6u);
}

}  // namespace
}  // namespace guichet
