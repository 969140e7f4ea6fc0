#include "harness/repo/package_set.hpp"

#include <algorithm>

#include "harness/common/hash.hpp"

namespace harness {

std::string Package::evr() const {
  std::string s;
  if (!epoch.empty() && epoch != "0") s += epoch + ":";
  s += version;
  if (!release.empty()) s += "-" + release;
  return s;
}

std::string Package::install_spec(Family family) const {
  return family == Family::debian ? name + "=" + evr() : name + "-" + evr();
}

const Package* PackageSet::find(const std::string& name) const {
  for (const auto& p : packages)
    if (p.name == name) return &p;
  return nullptr;
}

std::string PackageSet::hash() const {
  std::vector<const Package*> sorted;
  for (const auto& p : packages) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  Sha256 h;
  h.field(to_string(family));
  for (auto* p : sorted) h.field(p->name).field(p->evr()).field(p->arch);
  return h.hex();
}

}  // namespace harness
