// The Debian archives named by the host's apt configuration, read as apt reads it:
// ETC/sources.list, then ETC/sources.list.d/*.list and *.sources in name order. ETC is /etc/apt,
// or $HARNESS_APT_ETC (a folder laid out like /etc/apt, for tests and for hosts whose apt uses
// another Dir::Etc). Tests take their URLs from here too, the same way the CLI does.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "harness/plan/apt_sources.hpp"
#include "harness/plan/config.hpp"

namespace harness::cli {

// $HARNESS_APT_ETC when set and not empty, else /etc/apt.
std::filesystem::path apt_etc_dir();

// Every source under etc_dir in apt's order; unreadable files and skipped entries go to problems.
AptSourcesParse read_apt_sources(const std::filesystem::path& etc_dir);

// Fills the Debian fields that are still empty (no flag given) from the apt sources under etc_dir,
// with their origins; returns the notes worth showing (skipped entries, parse problems).
std::vector<std::string> fill_debian_mirrors(Mirrors& mirrors, const std::filesystem::path& etc_dir);

// Mirrors{} completed from apt_etc_dir(): what a test or benchmark uses where the CLI would.
Mirrors host_mirrors();

}  // namespace harness::cli
