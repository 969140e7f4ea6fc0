// Reading scenario and plan YAML with errors that name file:line and the fix.
#pragma once
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace harness {

struct YamlFile {
  std::filesystem::path path;
  YAML::Node root;

  // Throws UsageError "path:line: message".
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const;
  // Rejects keys outside `allowed` (a typo must not silently drop an expectation).
  void check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed) const;
  std::string required_string(const YAML::Node& map, const char* key) const;
  std::optional<std::string> optional_string(const YAML::Node& map, const char* key) const;
  std::vector<std::string> string_list(const YAML::Node& map, const char* key, bool required = false) const;
  int line_of(const YAML::Node& node) const;
};

YamlFile load_yaml_file(const std::filesystem::path& path);

}  // namespace harness
