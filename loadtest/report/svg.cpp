// report.svg: the per-second timeline as a picture.
#include "loadtest/report/common.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace guichet::loadtest {

bool write_svg(const report& r, const std::string& path) {
  if (!r.main) return false;
  const auto& tl = r.main->timeline();
  const bool fans = r.surge.has_value();
  struct panel {
    std::string title;
    std::vector<double> y;
    std::string colour;
  };
  panel p[3] = {{"requests per second", {}, "#1f77b4"}, {"p99 latency (ms)", {}, "#d62728"},
                {fans ? "fans waiting in the queue" : "errors per second", {}, "#2ca02c"}};
  std::vector<double> x;
  for (auto& s : tl) {
    x.push_back(s.t);
    p[0].y.push_back(static_cast<double>(s.requests));
    p[1].y.push_back(static_cast<double>(s.p99_us) / 1000.0);
    p[2].y.push_back(fans ? static_cast<double>(s.g.waiting) : static_cast<double>(s.errors));
  }
  const int W = 900, H = 190, left = 70, right = 20, top = 40, gap = 40;
  const int total_h = top + 3 * (H + gap) + 10;
  double xmax = x.empty() ? 1.0 : std::max(1.0, x.back());
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << total_h
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << left << "\" y=\"22\" font-size=\"15\">guichet " << r.scenario << " against " << r.target << ", "
    << r.started << "</text>\n";
  for (int k = 0; k < 3; ++k) {
    int y0 = top + k * (H + gap) + 14;
    double ymax = 1.0;
    for (double v : p[k].y) ymax = std::max(ymax, v);
    o << "<text x=\"" << left << "\" y=\"" << y0 - 4 << "\" font-weight=\"bold\">" << p[k].title << " (max " << fixed(ymax, ymax < 10 ? 2 : 0)
      << ")</text>\n";
    o << "<rect x=\"" << left << "\" y=\"" << y0 << "\" width=\"" << W - left - right << "\" height=\"" << H
      << "\" fill=\"none\" stroke=\"#999\"/>\n";
    for (int g = 0; g <= 4; ++g) {
      double v = ymax * g / 4.0;
      int yy = y0 + H - static_cast<int>(H * g / 4.0);
      o << "<line x1=\"" << left << "\" x2=\"" << W - right << "\" y1=\"" << yy << "\" y2=\"" << yy
        << "\" stroke=\"#eee\"/><text x=\"" << left - 6 << "\" y=\"" << yy + 4 << "\" text-anchor=\"end\">"
        << fixed(v, ymax < 10 ? 2 : 0) << "</text>\n";
    }
    for (int g = 0; g <= 10; ++g) {
      int xx = left + static_cast<int>((W - left - right) * g / 10.0);
      o << "<text x=\"" << xx << "\" y=\"" << y0 + H + 14 << "\" text-anchor=\"middle\">" << fixed(xmax * g / 10.0, 0)
        << " s</text>\n";
    }
    o << "<polyline fill=\"none\" stroke=\"" << p[k].colour << "\" stroke-width=\"1.5\" points=\"";
    for (std::size_t i = 0; i < x.size(); ++i)
      o << fixed(left + (W - left - right) * x[i] / xmax, 1) << "," << fixed(y0 + H - H * p[k].y[i] / ymax, 1) << " ";
    o << "\"/>\n";
  }
  o << "</svg>\n";
  std::ofstream f(path, std::ios::trunc);
  f << o.str();
  return static_cast<bool>(f.flush());
}

}  // namespace guichet::loadtest
