#include "harness/repo/rpmmd.hpp"

#include <tinyxml2.h>

#include <algorithm>
#include <cstring>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"

namespace harness {
namespace {
const char* text_of(const tinyxml2::XMLElement* e) { return e && e->GetText() ? e->GetText() : ""; }

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// Element name without a namespace prefix ("mm0:alternates" -> "alternates").
bool named(const tinyxml2::XMLElement* e, const char* local) {
  const char* n = e->Name();
  const char* colon = std::strrchr(n, ':');
  return std::strcmp(colon ? colon + 1 : n, local) == 0;
}
const tinyxml2::XMLElement* child(const tinyxml2::XMLElement* e, const char* local) {
  for (auto* c = e ? e->FirstChildElement() : nullptr; c; c = c->NextSiblingElement())
    if (named(c, local)) return c;
  return nullptr;
}
}  // namespace

std::vector<RepomdData> parse_repomd(const std::string& xml, const std::string& origin) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS)
    throw InfraError(origin + ": not valid repomd XML: " + escape_for_message(doc.ErrorStr()));
  auto* root = doc.RootElement();
  if (!root || !named(root, "repomd")) throw InfraError(origin + ": root element is not <repomd>");
  std::vector<RepomdData> out;
  for (auto* d = root->FirstChildElement(); d; d = d->NextSiblingElement()) {
    if (!named(d, "data")) continue;
    RepomdData r;
    r.type = d->Attribute("type") ? d->Attribute("type") : "";
    auto* loc = child(d, "location");
    r.location = loc && loc->Attribute("href") ? loc->Attribute("href") : "";
    auto* sum = child(d, "checksum");
    std::string sumtype = sum && sum->Attribute("type") ? sum->Attribute("type") : "";
    if (r.type.empty() || r.location.empty())
      throw InfraError(origin + ":" + std::to_string(d->GetLineNum()) + ": <data> without type or location");
    if (sumtype != "sha256")
      throw InfraError(origin + ":" + std::to_string(d->GetLineNum()) + ": " + escape_for_message(r.type) + " has checksum type '" +
                       escape_for_message(sumtype) + "'; only sha256 is accepted");
    r.sha256 = text_of(sum);
    if (auto* size = child(d, "size")) r.size = std::atoll(text_of(size));
    out.push_back(r);
  }
  return out;
}

const RepomdData* find_repomd(const std::vector<RepomdData>& data, const std::string& type) {
  for (const auto& d : data)
    if (d.type == type) return &d;
  return nullptr;
}

Metalink parse_metalink(const std::string& xml, const std::string& origin) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS)
    throw InfraError(origin + ": not valid metalink XML: " + escape_for_message(doc.ErrorStr()));
  auto* files = child(doc.RootElement(), "files");
  const tinyxml2::XMLElement* file = nullptr;
  for (auto* f = files ? files->FirstChildElement() : nullptr; f; f = f->NextSiblingElement())
    if (named(f, "file") && f->Attribute("name", "repomd.xml")) file = f;
  if (!file) throw InfraError(origin + ": metalink has no <file name=\"repomd.xml\"> (is the repo name right?)");
  Metalink m;
  auto add_hashes = [&](const tinyxml2::XMLElement* verification) {
    for (auto* h = verification ? verification->FirstChildElement() : nullptr; h; h = h->NextSiblingElement())
      if (named(h, "hash") && h->Attribute("type", "sha256")) m.sha256.push_back(text_of(h));
  };
  add_hashes(child(file, "verification"));
  if (auto* size = child(file, "size")) m.size = std::atoll(text_of(size));
  if (auto* alts = child(file, "alternates"))
    for (auto* a = alts->FirstChildElement(); a; a = a->NextSiblingElement()) add_hashes(child(a, "verification"));
  if (auto* res = child(file, "resources"))
    for (auto* u = res->FirstChildElement(); u; u = u->NextSiblingElement()) {
      MetalinkUrl mu;
      mu.protocol = u->Attribute("protocol") ? u->Attribute("protocol") : "";
      if (!named(u, "url") || (mu.protocol != "http" && mu.protocol != "https")) continue;
      mu.url = trim(text_of(u));
      // The scheme must be the one the attribute names, and the URL that of repomd.xml (the mirror's
      // repository base is what precedes repodata/repomd.xml).
      if (!mu.url.starts_with(mu.protocol + "://") || !mu.url.ends_with("/repodata/repomd.xml")) continue;
      mu.location = u->Attribute("location") ? u->Attribute("location") : "";
      int pref = u->IntAttribute("preference", 0);
      mu.preference = pref < 0 || pref > 100 ? 0 : pref;
      m.urls.push_back(std::move(mu));
    }
  std::stable_sort(m.urls.begin(), m.urls.end(), [](const MetalinkUrl& a, const MetalinkUrl& b) { return a.preference > b.preference; });
  if (m.sha256.empty()) throw InfraError(origin + ": metalink lists no sha256 for repomd.xml; cannot verify it");
  if (m.urls.empty()) throw InfraError(origin + ": metalink lists no http(s) mirror for repomd.xml");
  return m;
}

void check_repomd_against_metalink(const Metalink& m, const std::string& repomd_sha256, const std::string& repomd_url,
                                   const std::string& metalink_url) {
  if (std::find(m.sha256.begin(), m.sha256.end(), repomd_sha256) != m.sha256.end()) return;
  std::string listed;
  for (const auto& h : m.sha256) listed += (listed.empty() ? "" : ", ") + escape_for_message(h, 80);  // the mirror's text
  throw InfraError("checksum mismatch for " + repomd_url + ": the metalink " + metalink_url + " lists sha256 " + listed +
                   ", the file has sha256 " + repomd_sha256 + "; refusing it (stale or tampered mirror)");
}

}  // namespace harness
