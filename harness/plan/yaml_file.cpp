#include "harness/plan/yaml_file.hpp"

#include <algorithm>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"

namespace harness {

int YamlFile::line_of(const YAML::Node& node) const {
  auto m = node.Mark();
  return m.line >= 0 ? m.line + 1 : 0;
}

void YamlFile::fail(const YAML::Node& at, const std::string& message) const {
  int line = at.IsDefined() ? line_of(at) : 0;
  // Callers quote values with escape_for_message (escaping the message again would double every
  // backslash); a control byte that slipped through a quoting site is still shown as \xNN here.
  std::string clean;
  for (unsigned char c : message) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      clean += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    } else {
      clean += static_cast<char>(c);
    }
  }
  throw UsageError(escape_for_message(path.string(), 1000) + ":" + (line > 0 ? std::to_string(line) : std::string("?")) +
                   ": " + clean);
}

void YamlFile::check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed) const {
  if (!map.IsMap()) fail(map, "expected a mapping (key: value)");
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) fail(kv.first, "a key must be a name, not a list or mapping");
    auto key = kv.first.as<std::string>();
    bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (!ok) {
      std::string list;
      for (auto* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      fail(kv.first, "unknown key '" + key + "' (allowed: " + list + ")");
    }
  }
}

std::string YamlFile::required_string(const YAML::Node& map, const char* key) const {
  auto v = optional_string(map, key);
  if (!v) fail(map, std::string("missing required key '") + key + "'");
  return *v;
}

std::optional<std::string> YamlFile::optional_string(const YAML::Node& map, const char* key) const {
  auto n = map[key];
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) fail(n, std::string("'") + key + "' must be a string");
  return n.as<std::string>();
}

std::vector<std::string> YamlFile::string_list(const YAML::Node& map, const char* key, bool required) const {
  auto n = map[key];
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) {
    if (required) fail(map, std::string("missing required list '") + key + "'");
    return out;
  }
  if (n.IsScalar()) return {n.as<std::string>()};
  if (!n.IsSequence()) fail(n, std::string("'") + key + "' must be a list of strings");
  for (const auto& item : n) {
    if (!item.IsScalar()) fail(item, std::string("'") + key + "' entries must be strings");
    out.push_back(item.as<std::string>());
  }
  return out;
}

YamlFile load_yaml_file(const std::filesystem::path& path) {
  YamlFile f;
  f.path = path;
  // A folder reads as nothing, a FIFO or /dev/zero never ends: only regular files are YAML files here.
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) throw UsageError(path.string() + ": no such file");
  if (std::filesystem::is_directory(st))
    throw UsageError(path.string() + ": is a folder, not a YAML file (give the file inside it)");
  if (!std::filesystem::is_regular_file(st)) throw UsageError(path.string() + ": not a regular file");
  try {
    f.root = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    throw UsageError(path.string() + ": cannot read the file");
  } catch (const YAML::Exception& e) {
    throw UsageError(path.string() + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + escape_for_message(e.msg));
  }
  return f;
}

}  // namespace harness
