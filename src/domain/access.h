// Who may do what (权限): roles, the principal a request acts as, jurisdiction scopes, and the
// field masking of personal data. Pure rules; sessions and storage live in app/access.h.
//
// Scopes: a staff account's scope is a node of the jurisdiction tree and covers its whole
// subtree. Division codes nest by prefix (36 → 3606 → 360602 → 360602001 → 360602001001), so
// "in scope" is a prefix test, and a subtree is one range of codes in an index.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "domain/workflow.h"

namespace jiceng::domain {

enum class Role {
  kOperator,  // 话务员/登记员: registers hotline, walk-in and letter cases; dispatches
  kHandler,   // 承办人: works the cases of their unit
  kUnitHead,  // 单位负责人: as handler, and approves extensions
  kMediator,  // 人民调解员
  kCorrectionOfficer,  // 社区矫正工作人员
  kGridWorker,         // 网格员: registers for villagers, reads cases of the grid
  kCadre,              // 驻村干部
  kLeader,             // 领导: reads everything in the subtree, changes nothing
  kAdmin,              // 系统管理员: accounts and settings; no casework, no personal data
  kAuditor,            // 审计员: reads the audit log only
  kResident,           // 群众: their own cases
  kApp,                // an Open311 client with an API key: public case data only
};
inline constexpr int kRoleCount = 12;

std::string_view to_string(Role r);  // "operator", "handler", "unit_head", …
std::string_view label_zh(Role r);   // "话务员", "承办人", …
[[nodiscard]] Result<Role> role_from_string(std::string_view s);
// The roles of staff accounts (all but resident and app).
bool is_staff(Role r);
std::vector<Role> all_roles();

// A set of roles, for route policies.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= bit(r);
  }
  constexpr bool contains(Role r) const { return (bits_ & bit(r)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr RoleSet with(Role r) const {
    RoleSet out = *this;
    out.bits_ |= bit(r);
    return out;
  }
  constexpr bool operator==(const RoleSet&) const = default;
  std::vector<Role> roles() const;
  static RoleSet staff();  // every staff role

 private:
  static constexpr std::uint32_t bit(Role r) { return 1u << static_cast<unsigned>(r); }
  std::uint32_t bits_ = 0;
};

// The caller a request acts as, once authenticated.
struct Principal {
  Role role = Role::kResident;
  std::int64_t id = 0;     // the account's id, or the API key's for kApp
  std::string username{};  // the login name; for kApp the key's name
  std::string display_name{};
  std::string scope_code{};               // staff: the root of their subtree; "" otherwise
  std::optional<std::int64_t> unit_id{};  // staff of a unit

  // The name the audit log records: the username for staff, "resident:ID", "app:ID".
  std::string actor() const;
};

// True when place_code is scope_code or lies below it. An empty scope covers nothing.
bool in_scope(std::string_view scope_code, std::string_view place_code);
// The codes of a subtree as a half-open range [first, second) of strings, for an index scan:
// every code c with first <= c < second starts with scope_code.
std::pair<std::string, std::string> scope_range(std::string_view scope_code);

// Case permissions by role.
bool may_read_cases(Role r);           // staff who see case files in their subtree
bool may_register_for_others(Role r);  // staff who register a phone, walk-in or letter case
// Whether role r may apply command c to a case (the workflow still decides whether c is
// allowed in the case's state). Unit roles (handler, unit head) act only on their unit's cases;
// that object-level check is the caller's.
bool may_command(Role r, Command c);
bool acts_for_unit(Role r);  // handler, unit head: only the cases of their own unit
// Whether the role needs the submitter's name and contact in the clear (to call back); a role
// that acts for a unit only on its own unit's cases (app: sees_person).
bool sees_contact(Role r);

// Masking for roles that must not see personal data in the clear (个人信息去标识化).
// Phone numbers keep the first 3 and last 4 digits ("138****5678"); e-mail addresses the first
// character and the domain ("z***@example.cn"); ID-card numbers the first 6 and last 4
// ("360602********1234"); names their first character ("张**"). Anything else keeps at most its
// first character. Works on code points, never splits UTF-8.
std::string mask_contact(std::string_view contact);
std::string mask_id_number(std::string_view id);
std::string mask_name(std::string_view name);

}  // namespace jiceng::domain
