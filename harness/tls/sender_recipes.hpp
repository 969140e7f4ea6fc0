// Real senders as recipes (scenarios/starttls/senders.yaml): per sender the Debian packages of its
// testbed image and the shell command that sends one message via STARTTLS to $HOST:$PORT. Read by
// `harness capture-client --sender`, which runs each command in its own container against the
// capture listener.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace harness {

struct SenderRecipe {
  std::string name;     // "msmtp"
  std::string image;    // key into SenderRecipes::images
  std::string package;  // whose installed version the profile records
  std::vector<std::string> library;  // TLS library packages, first installed one recorded ("libssl3t64", "libssl3")
  std::string listen = "127.0.0.1";  // exim's smarthost router refuses its own interfaces: 127.0.0.2 there
  std::string command;  // sh script; $HOST and $PORT are set
  std::string summary;
  std::vector<std::string> refs;
  std::string where;  // file:line
};

struct SenderRecipes {
  // image name -> packages. Senders that conflict (MTAs: postfix and exim4 both provide
  // mail-transport-agent) cannot share one image.
  std::map<std::string, std::vector<std::string>> images;
  std::vector<SenderRecipe> senders;  // file order
  const SenderRecipe& find(const std::string& name) const;  // UsageError listing the names
};

// Throws UsageError "file:line: ..." for unknown keys, a sender without command/package/image, an
// image name not under `images`, a name used twice, a listen address outside 127.0.0.0/8.
SenderRecipes load_sender_recipes(const std::filesystem::path& file);

}  // namespace harness
