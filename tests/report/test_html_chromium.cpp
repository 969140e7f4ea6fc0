// index.html as a browser shows it: headless Chromium renders a synthetic run with the seed's cell
// (EC-only certificate x proofpoint-2015 client: the expected handshake failure) and the rendered DOM
// must show it as a failed handshake that was expected. Chromium runs with a temporary profile, no
// network (every host name resolves to nothing), and a timeout. containers/setup-host installs it.
#define BOOST_TEST_MODULE html_chromium
#include <boost/test/unit_test.hpp>
#include <regex>

#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/report.hpp"
#include "tests/report/synthetic_run.hpp"

using namespace harness;

namespace {

struct Rendered {
  std::string dom;
  std::string log;
};

Rendered render(const std::string& html) {
  std::string chromium = find_program("chromium");  // Debian
  if (chromium.empty()) chromium = find_program("chromium-browser");  // Fedora
  BOOST_REQUIRE_MESSAGE(!chromium.empty(),
                        "chromium is not installed: containers/setup-host installs it (containers/host-packages.txt); "
                        "on Debian: apt-get install chromium");
  TempDir dir("harness-test-chromium");
  write_file(dir.path() / "index.html", html);
  ProcessOptions po;
  po.timeout = std::chrono::seconds(90);
  // Chromium writes caches and crash reports under HOME as well as the profile: keep both in the temp dir.
  po.env = {"HOME=" + dir.path().string(), "XDG_CONFIG_HOME=" + (dir.path() / "config").string(),
            "XDG_CACHE_HOME=" + (dir.path() / "cache").string()};
  auto r = run_process({chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                        "--disable-background-networking", "--disable-sync", "--disable-component-update",
                        "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
                        "--user-data-dir=" + (dir.path() / "profile").string(), "--host-resolver-rules=MAP * ~NOTFOUND",
                        "--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=1", "--dump-dom",
                        "file://" + (dir.path() / "index.html").string()},
                       po);
  BOOST_REQUIRE_MESSAGE(!r.timed_out, "chromium did not finish within 90 s");
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "chromium exited " << r.exit_code << ": " << r.err.substr(0, 2000));
  return {r.out, r.err};
}

// The URLs Chromium was about to fetch (its network delegate logs each at --v=1). Chromium's own
// services (update checks, sign-in) ask for google.com URLs too; the page's are those the page names.
std::vector<std::string> requests_named_by(const std::string& log, const std::string& html) {
  std::vector<std::string> out;
  const std::string marker = "NotifyBeforeURLRequest: ";
  for (auto p = log.find(marker); p != std::string::npos; p = log.find(marker, p + 1)) {
    auto start = p + marker.size();
    auto url = log.substr(start, log.find_first_of(" \n", start) - start);
    auto host_start = url.find("://");
    if (host_start == std::string::npos) continue;
    auto host = url.substr(host_start + 3, url.find_first_of("/:?", host_start + 3) - host_start - 3);
    if (!host.empty() && html.find(host) != std::string::npos) out.push_back(url);
  }
  return out;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_seed_cell_renders_as_an_expected_failed_handshake) {
  auto run = testing::synthetic_upgrade_run();
  std::string html = html_report(run);

  // The source loads nothing from elsewhere: no element with a source, no stylesheet link, no CSS url().
  for (const char* bad : {"src=", "<link", "url(", "@import", "<script", "<iframe", "<object", "<embed", "href=\"http", "href='http"})
    BOOST_CHECK_MESSAGE(html.find(bad) == std::string::npos, "index.html contains " << bad);

  auto r = render(html);
  BOOST_TEST_MESSAGE("DOM: " << r.dom.size() << " bytes");
  // The page rendered: its heading and the grids are in the DOM.
  BOOST_CHECK(r.dom.find("<h1>harness run 20261204-175547-244c: <span class=\"regression\">REGRESSION</span></h1>") != std::string::npos);
  BOOST_CHECK_EQUAL(count(r.dom, "<h4>TLS matrix: "), 2u);
  // The seed's cell, per stream: a failed handshake (✗) that the expectation asks for, with the alert.
  std::regex seed(R"re(<td class="pass xfail" title="exim/ec/proofpoint-2015: handshake failed as expected[^"]*">✗ expected: handshake failure \(40\)</td>)re");
  auto n = std::distance(std::sregex_iterator(r.dom.begin(), r.dom.end(), seed), std::sregex_iterator());
  BOOST_CHECK_EQUAL(n, 3);  // baseline, candidate-1, candidate-2 side by side
  // Not a bare pass: no exim/ec/proofpoint-2015 cell reads PASS or a successful handshake.
  BOOST_CHECK(!std::regex_search(r.dom, std::regex(R"re(title="exim/ec/proofpoint-2015[^"]*">(✓|PASS))re")));
  // The cell that changed on trixie is marked.
  BOOST_CHECK(r.dom.find("Δ ✓ TLSv1.2 ECDHE/ECDSA</td>") != std::string::npos);
  // Nothing the page names was fetched (the run's command names an archive URL, as text).
  BOOST_CHECK(html.find("http://archive.invalid/debian") != std::string::npos);
  auto fetched = requests_named_by(r.log, html);
  BOOST_CHECK_MESSAGE(fetched.empty(), "index.html made chromium request " << (fetched.empty() ? "" : fetched[0]));
}

BOOST_AUTO_TEST_CASE(the_request_check_sees_a_page_that_loads_something) {
  // The same check on a page with an image from elsewhere: it must see the request (blocked here).
  std::string html = "<!DOCTYPE html><html><body><h1>x</h1><img src=\"http://harness-test.invalid/pixel.png\"></body></html>";
  auto r = render(html);
  BOOST_CHECK(r.dom.find("<h1>x</h1>") != std::string::npos);
  auto fetched = requests_named_by(r.log, html);
  BOOST_REQUIRE_EQUAL(fetched.size(), 1u);
  BOOST_CHECK_EQUAL(fetched[0], "http://harness-test.invalid/pixel.png");
}
