// Use cases over the jurisdiction tree: look a node up, list its children, find by name.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/jurisdiction.h"
#include "store/database.h"

namespace jiceng::app {

struct JurisdictionDetail {
  domain::Jurisdiction node;
  std::vector<domain::Jurisdiction> ancestors;  // from the province down to the parent
  std::int64_t child_count = 0;
};

class JurisdictionService {
 public:
  static constexpr int kMaxSearchResults = 50;
  // A city's tree (鹰潭市: 590 nodes) fits; a province's (about 20,000) does not.
  static constexpr int kMaxDescendants = 5000;

  explicit JurisdictionService(store::Database& db) : db_(db) {}

  // kInvalidArgument for a malformed code, kNotFound for an unknown one.
  [[nodiscard]] Result<JurisdictionDetail> get(std::string_view code);
  // The children ordered by code. Errors as get().
  [[nodiscard]] Result<std::vector<domain::Jurisdiction>> children(std::string_view code);
  // Every node below code, ordered by code (so each parent comes before its children), for a
  // client that searches a deployment's places itself (by pinyin, say). Errors as get(), and
  // kFailedPrecondition when there are more than kMaxDescendants (drill down with children()).
  [[nodiscard]] Result<std::vector<domain::Jurisdiction>> descendants(std::string_view code);
  // The deployment's root node (the "deployment.root" setting, e.g. 鹰潭市), as get() gives it.
  // kNotFound when no deployment has been set up.
  [[nodiscard]] Result<JurisdictionDetail> deployment_root();
  // Nodes whose name contains q: exact names first, then names starting with q, then the rest;
  // higher levels first within each group, then by code. At most `limit` (≤ 50) results.
  // kInvalidArgument when q is empty after trimming or longer than 50 characters.
  [[nodiscard]] Result<std::vector<domain::Jurisdiction>> search(std::string_view q,
                                                                 int limit = kMaxSearchResults);

 private:
  store::Database& db_;
};

}  // namespace jiceng::app
