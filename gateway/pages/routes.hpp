#pragma once
#include <memory>

#include "gateway/server/handler.hpp"

namespace guichet::pages {

class web_site;

/// The fans' pages (GET /register|wait|shop/{edition}/{phase}, `public, max-age=60`, in the
/// language of `?lang=` or Accept-Language) and their content-hashed assets (GET
/// /static/{file}, `public, max-age=31536000, immutable`). See docs/fan-pages.md.
void add_web_routes(server::route_table& t, std::shared_ptr<const web_site> site);

}  // namespace guichet::pages
