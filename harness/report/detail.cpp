#include "harness/report/detail.hpp"

#include <cstdio>
#include <map>

namespace harness::report_detail {

std::vector<VersionRow> stream_versions(const StreamRecord& s) {
  std::vector<VersionRow> rows;
  std::map<std::string, bool> seen;
  for (const auto& p : s.packages.packages) {
    rows.push_back({p.name, p.evr() + (p.arch.empty() ? "" : "." + p.arch), p.repo, p.advisory});
    seen[p.name] = true;
  }
  for (const auto& img : s.images)
    for (const auto& [name, version] : img.requested)
      if (!seen[name]) {
        rows.push_back({name, version, "image", ""});
        seen[name] = true;
      }
  return rows;
}

std::string versions_line(const StreamRecord& s, std::size_t max_items) {
  auto rows = stream_versions(s);
  std::string out;
  for (std::size_t i = 0; i < rows.size() && i < max_items; ++i)
    out += (out.empty() ? "" : ", ") + rows[i].package + " " + rows[i].version;
  if (rows.size() > max_items) out += ", ... (" + std::to_string(rows.size() - max_items) + " more)";
  if (out.empty() && !s.errors.empty()) return "(no versions resolved: not run)";  // the stream error says why
  return out.empty() ? "(versions not recorded)" : out;
}

namespace {
std::string key(std::size_t suite, std::size_t stream, const std::string& id) {
  return std::to_string(suite) + "/" + std::to_string(stream) + "/" + id;
}
}  // namespace

VerdictIndex::VerdictIndex(const RunRecord& run) {
  map_.reserve(run.verdicts.size());
  for (const auto& v : run.verdicts) map_.emplace(key(v.suite, v.stream, v.id), &v);
}

const CaseVerdict* VerdictIndex::find(std::size_t suite, std::size_t stream, const std::string& id) const {
  auto it = map_.find(key(suite, stream, id));
  return it == map_.end() ? nullptr : it->second;
}

std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > 1000) s = s.substr(0, 1000) + "...";
  return s;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
  return buf;
}

}  // namespace harness::report_detail
