#include "harness/suites/suite.hpp"

#include <mutex>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"

namespace harness {

std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::error: return "error";
    case Outcome::skip: return "skip";
  }
  return "error";
}

ImageRequest SuiteContext::image_for(const std::vector<std::string>& package_names) const {
  ImageRequest req;
  req.family = spec.family;
  req.release = spec.release;
  req.sources = sources;
  req.allow_expired_metadata = allow_expired_metadata;
  // Every candidate file goes with every image: the image recipe installs each one whose package
  // the image holds, so a candidate package pulled in as a dependency is the candidate's too.
  req.local_packages = local_packages;
  std::set<std::string> local_names;
  for (const auto& f : local_packages) {
    std::vector<std::string> argv = spec.family == Family::debian
        ? std::vector<std::string>{"dpkg-deb", "-f", f.string(), "Package"}
        : std::vector<std::string>{"rpm", "-qp", "--qf", "%{NAME}", f.string()};
    auto r = run_process(argv, {.timeout = std::chrono::seconds(30)});
    if (!r.ok()) throw UsageError(f.string() + ": not a readable package: " + r.err);
    local_names.insert(r.out.substr(0, r.out.find('\n')));
  }
  for (const auto& name : package_names) {
    if (local_names.count(name)) {
      req.packages.push_back(name);  // the candidate's file; the recipe prefers it
    } else if (const Package* p = pins.find(name)) {
      req.packages.push_back(p->install_spec(spec.family));
    } else {
      req.packages.push_back(name);
    }
  }
  return req;
}

TestbedOptions SuiteContext::testbed_options(const Image& image, const std::string& role) const {
  {
    static std::mutex m;  // a suite may start testbeds from several threads
    std::lock_guard lock(m);
    bool known = false;
    for (const auto& i : images_used) known = known || i.tag == image.tag;
    if (!known) images_used.push_back(image);
  }
  TestbedOptions o;
  o.image = image.tag;
  o.run_id = run_id;
  o.role = stream + "-" + role;
  return o;
}

std::unique_ptr<Testbed> SuiteContext::start(const Image& image, const std::string& role, std::vector<int> ports) const {
  if (!testbeds) throw InfraError("suite context for " + stream + ": nothing starts testbeds");
  auto o = testbed_options(image, role);
  o.ports = std::move(ports);
  return testbeds->start(o);
}

ExecResult SuiteContext::run_once(const Image& image, const std::string& role, const std::vector<std::string>& argv,
                                  const std::string& stdin_data, std::chrono::milliseconds timeout) const {
  if (!testbeds) throw InfraError("suite context for " + stream + ": nothing starts testbeds");
  return testbeds->run_once(testbed_options(image, role), argv, stdin_data, timeout);
}

}  // namespace harness
