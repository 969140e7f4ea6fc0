// The exact packages a testbed is built from, and where each came from.
#pragma once
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"

namespace harness {

struct Package {
  std::string name;
  std::string epoch;    // empty when 0 / absent
  std::string version;  // Debian: upstream-revision ("4.98.2-1"); RPM: version ("4.97.1")
  std::string release;  // RPM release ("2.fc40"); empty for Debian
  std::string arch;
  std::string source;   // source package name
  std::string repo;     // where it was found (suite/repo id, or "local")
  std::string advisory; // FEDORA-2024-..., DSA-..., empty when none
  std::string advisory_type;      // updateinfo type: security, bugfix, enhancement, newpackage
  std::string severity;           // updateinfo severity: None, Low, Moderate, Important, Critical
  std::vector<std::string> bugs;  // "rhbz#2258027", "debbug#123"
  std::string file;               // local:DIR packages: the .deb/.rpm to install; empty otherwise

  // [epoch:]version[-release]
  std::string evr() const;
  // What the package manager is asked to install: "exim4-base=4.98.2-1" / "exim-4.97.1-2.fc40".
  std::string install_spec(Family family) const;
};

struct PackageSet {
  Family family = Family::debian;
  std::vector<Package> packages;

  const Package* find(const std::string& name) const;
  // Stable content hash of (name, evr, arch) sorted by name.
  std::string hash() const;
};

}  // namespace harness
