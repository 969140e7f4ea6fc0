// SHA-256 (OpenSSL EVP), hex encoded: content hashes for image tags, package sets, metadata checks.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace harness {

std::string sha256_hex(std::string_view data);
std::string sha256_file_hex(const std::filesystem::path& path);

// Incremental hashing for content keys built from several parts.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  // Adds a length-prefixed field so that ("ab","c") and ("a","bc") differ.
  Sha256& field(std::string_view s);
  Sha256& update(std::string_view s);
  std::string hex();

 private:
  void* ctx_;
};

}  // namespace harness
