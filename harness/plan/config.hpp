// Where distributions are fetched from. Defaults are the public mirrors; every one can be overridden.
#pragma once
#include <string>

namespace harness {

struct Mirrors {
  std::string debian = "http://deb.debian.org/debian";
  std::string debian_security = "http://deb.debian.org/debian-security";
  // Fedora: a metalink (preferred, verifies repomd.xml) or a baseurl; and the base image.
  std::string fedora_metalink = "https://mirrors.fedoraproject.org/metalink";
  std::string fedora_baseurl;  // e.g. https://dl.fedoraproject.org/pub/fedora/linux
  std::string fedora_image = "registry.fedoraproject.org/fedora";
};

}  // namespace harness
