// Debian archive Release files: gpgv verification of InRelease, fields, SHA256 index list, Valid-Until.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace harness {

struct ReleaseFile {
  struct Index {
    std::string sha256;
    long long size = -1;
  };
  std::map<std::string, std::string> fields;  // Suite, Codename, Date, Valid-Until, ... (single-line fields)
  std::map<std::string, Index> sha256;        // "main/binary-amd64/Packages.xz" -> hash, size
  std::optional<std::chrono::system_clock::time_point> date, valid_until;
  bool acquire_by_hash = false;
};

// Parses the (already verified) text of a Release file. `origin` names it in errors (URL or file).
ReleaseFile parse_release(const std::string& text, const std::string& origin);

// Throws InfraError unless `now` is before Valid-Until (no Valid-Until = no expiry) or `allow_expired`.
void check_valid_until(const ReleaseFile& release, const std::string& url, std::chrono::system_clock::time_point now,
                       bool allow_expired);

// Runs gpgv on a clearsigned InRelease and returns only the signed text (never the unsigned parts
// around it). Throws InfraError naming the URL when the signature is bad or missing.
std::string verify_inrelease(const std::filesystem::path& inrelease, const std::string& url,
                             const std::filesystem::path& keyring, std::chrono::seconds timeout);

// "Sat, 11 Jul 2026 10:16:37 UTC" -> time point; nullopt when unparsable.
std::optional<std::chrono::system_clock::time_point> parse_rfc822_date(const std::string& text);

}  // namespace harness
