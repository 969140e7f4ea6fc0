// Helpers shared by the report writers (not a public header).
#pragma once
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/verdict/verdict.hpp"

namespace harness::report_detail {

// (package, version, where from) for a stream: the resolved set, else what its images installed.
struct VersionRow {
  std::string package;
  std::string version;
  std::string origin;  // repo / "local" / "image"
  std::string advisory;
};
std::vector<VersionRow> stream_versions(const StreamRecord& s);
// "exim4-base 4.98.2-1, openssl 3.5.1-1"
std::string versions_line(const StreamRecord& s, std::size_t max_items = 8);

// (suite, stream, case id) -> verdict.
class VerdictIndex {
 public:
  explicit VerdictIndex(const RunRecord& run);
  const CaseVerdict* find(std::size_t suite, std::size_t stream, const std::string& id) const;

 private:
  std::unordered_map<std::string, const CaseVerdict*> map_;
};

std::string one_line(std::string s);
std::string format_seconds(double s);

}  // namespace harness::report_detail
