#include "harness/tls/sender_recipes.hpp"

#include <regex>
#include <set>

#include "harness/common/error.hpp"
#include "harness/plan/yaml_file.hpp"

namespace harness {

const SenderRecipe& SenderRecipes::find(const std::string& name) const {
  std::string names;
  for (const auto& s : senders) {
    if (s.name == name) return s;
    names += (names.empty() ? "" : ", ") + s.name;
  }
  throw UsageError("--sender: no sender '" + name + "' in the recipes (known: " + names + ")");
}

SenderRecipes load_sender_recipes(const std::filesystem::path& file) {
  auto y = load_yaml_file(file);
  const auto& root = y.root;
  y.check_keys(root, {"images", "senders", "summary", "refs"});
  SenderRecipes r;
  auto images = root["images"];
  if (!images.IsMap() || images.size() == 0) y.fail(images.IsDefined() ? images : root, "images: expected a map of image name: {packages: [...]}");
  for (const auto& kv : images) {
    y.check_keys(kv.second, {"packages", "summary"});
    r.images[kv.first.as<std::string>()] = y.string_list(kv.second, "packages", true);
  }
  auto senders = root["senders"];
  if (!senders.IsSequence() || senders.size() == 0) y.fail(senders.IsDefined() ? senders : root, "senders: expected a list of senders");
  static const std::regex safe_name(R"([a-z0-9][a-z0-9_.-]*)");
  std::set<std::string> names;
  for (const auto& n : senders) {
    y.check_keys(n, {"name", "image", "package", "library", "listen", "command", "summary", "refs"});
    SenderRecipe s;
    s.where = file.string() + ":" + std::to_string(y.line_of(n));
    s.name = y.required_string(n, "name");
    if (!std::regex_match(s.name, safe_name)) y.fail(n["name"], "name '" + s.name + "': lower-case letters, digits, _ . - (it names the profile file)");
    if (!names.insert(s.name).second) y.fail(n["name"], "sender '" + s.name + "' is listed twice");
    s.image = y.required_string(n, "image");
    if (!r.images.count(s.image)) y.fail(n["image"], "image '" + s.image + "' is not under images:");
    s.package = y.required_string(n, "package");
    s.library = y.string_list(n, "library");
    s.listen = y.optional_string(n, "listen").value_or(s.listen);
    if (s.listen.rfind("127.", 0) != 0) y.fail(n["listen"], "listen '" + s.listen + "': the capture listens on 127.0.0.0/8 only");
    s.command = y.required_string(n, "command");
    s.summary = y.required_string(n, "summary");
    s.refs = y.string_list(n, "refs", true);
    r.senders.push_back(std::move(s));
  }
  return r;
}

}  // namespace harness
