#include "domain/access.h"

#include <array>

namespace jiceng::domain {
namespace {

struct RoleInfo {
  Role role;
  std::string_view name;
  std::string_view zh;
};
constexpr std::array<RoleInfo, kRoleCount> kRoles{{
    {Role::kOperator, "operator", "话务员"},
    {Role::kHandler, "handler", "承办人"},
    {Role::kUnitHead, "unit_head", "单位负责人"},
    {Role::kMediator, "mediator", "人民调解员"},
    {Role::kCorrectionOfficer, "correction_officer", "社区矫正工作人员"},
    {Role::kGridWorker, "grid_worker", "网格员"},
    {Role::kCadre, "cadre", "驻村干部"},
    {Role::kLeader, "leader", "领导"},
    {Role::kAdmin, "admin", "系统管理员"},
    {Role::kAuditor, "auditor", "审计员"},
    {Role::kResident, "resident", "群众"},
    {Role::kApp, "app", "应用"},
}};

const RoleInfo& info(Role r) { return kRoles.at(static_cast<std::size_t>(r)); }

// The byte length of the first n code points of s (all of s when it has fewer).
std::size_t prefix_bytes(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t cp = 0; cp < n && i < s.size(); ++cp) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Keeps `head` leading and `tail` trailing code points, stars in between (at least one star).
std::string keep_ends(std::string_view s, std::size_t head, std::size_t tail) {
  std::size_t n = code_points(s);
  if (n <= head + tail) return std::string(s.substr(0, prefix_bytes(s, n > 0 ? 1 : 0))) + "*";
  std::size_t head_end = prefix_bytes(s, head);
  std::size_t tail_begin = prefix_bytes(s, n - tail);
  return std::string(s.substr(0, head_end)) + std::string(n - head - tail, '*') +
         std::string(s.substr(tail_begin));
}

}  // namespace

std::string_view to_string(Role r) { return info(r).name; }
std::string_view label_zh(Role r) { return info(r).zh; }

Result<Role> role_from_string(std::string_view s) {
  for (const auto& r : kRoles) {
    if (r.name == s) return r.role;
  }
  return Error::invalid_argument("unknown role '" + std::string(s) +
                                 "'; roles: operator, handler, unit_head, mediator, "
                                 "correction_officer, grid_worker, cadre, leader, admin, auditor")
      .zh("未知角色“" + std::string(s) + "”");
}

bool is_staff(Role r) { return r != Role::kResident && r != Role::kApp; }

std::vector<Role> all_roles() {
  std::vector<Role> out;
  for (const auto& r : kRoles) out.push_back(r.role);
  return out;
}

std::vector<Role> RoleSet::roles() const {
  std::vector<Role> out;
  for (const auto& r : kRoles) {
    if (contains(r.role)) out.push_back(r.role);
  }
  return out;
}

RoleSet RoleSet::staff() {
  RoleSet s;
  for (const auto& r : kRoles) {
    if (is_staff(r.role)) s.bits_ |= bit(r.role);
  }
  return s;
}

std::string Principal::actor() const {
  if (role == Role::kResident) return "resident:" + std::to_string(id);
  if (role == Role::kApp) return "app:" + std::to_string(id);
  return username;
}

bool in_scope(std::string_view scope_code, std::string_view place_code) {
  return !scope_code.empty() && place_code.starts_with(scope_code);
}

std::pair<std::string, std::string> scope_range(std::string_view scope_code) {
  std::string first(scope_code);
  std::string second(scope_code);
  if (second.empty()) return {first, second};  // covers nothing
  // Codes are digits: the next string after every "<scope>…" is "<scope with its last char + 1>".
  second.back() = static_cast<char>(second.back() + 1);
  return {first, second};
}

bool may_read_cases(Role r) {
  switch (r) {
    case Role::kOperator:
    case Role::kHandler:
    case Role::kUnitHead:
    case Role::kGridWorker:
    case Role::kCadre:
    case Role::kLeader:
      return true;
    default:
      return false;
  }
}

bool may_register_for_others(Role r) { return r == Role::kOperator || r == Role::kGridWorker; }

bool acts_for_unit(Role r) { return r == Role::kHandler || r == Role::kUnitHead; }

bool may_command(Role r, Command c) {
  switch (c) {
    // The registration office's work (登记、受理、交办、转送、回访、结案).
    case Command::kAccept:
    case Command::kDecline:
    case Command::kAssign:
    case Command::kTransfer:
    case Command::kRedispatch:
    case Command::kClose:
    case Command::kReopen:
    case Command::kMerge:
      return r == Role::kOperator;
    // The handling unit's work.
    case Command::kStart:
    case Command::kReturn:
    case Command::kRequestExtension:
    case Command::kResolve:
      return r == Role::kHandler || r == Role::kUnitHead;
    case Command::kApproveExtension:
    case Command::kDenyExtension:
      return r == Role::kUnitHead;
    // The resident rates the answer; the office records a rating given by phone (回访).
    case Command::kFollowUp:
      return r == Role::kResident || r == Role::kOperator;
    // Reviews are answered by the office or the head of the unit that answers for the case.
    case Command::kReplyReview:
    case Command::kReplyReReview:
      return r == Role::kOperator || r == Role::kUnitHead;
    // The resident asks; staff may record a request made by phone or in person.
    case Command::kRequestReview:
    case Command::kRequestReReview:
      return r == Role::kResident || r == Role::kOperator;
    // Anyone who works the case, a leader who supervises it (督办), and the resident may move
    // it one level up with a reason.
    case Command::kEscalate:
      return r == Role::kResident || r == Role::kOperator || r == Role::kHandler ||
             r == Role::kUnitHead || r == Role::kLeader;
  }
  return false;
}

bool sees_contact(Role r) {
  return r == Role::kOperator || r == Role::kHandler || r == Role::kUnitHead;
}

std::string mask_contact(std::string_view contact) {
  if (auto at = contact.find('@'); at != std::string_view::npos && at > 0) {
    return std::string(contact.substr(0, prefix_bytes(contact, 1))) + "***" +
           std::string(contact.substr(at));
  }
  std::string digits;
  for (char ch : contact) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  if (digits.size() >= 7) return keep_ends(digits, 3, 4);
  return keep_ends(contact, 1, 0);
}

std::string mask_id_number(std::string_view id) {
  if (id.size() >= 15) return keep_ends(id, 6, 4);
  return keep_ends(id, 1, 0);
}

std::string mask_name(std::string_view name) {
  std::size_t n = code_points(name);
  if (n == 0) return "";
  return std::string(name.substr(0, prefix_bytes(name, 1))) + std::string(n > 1 ? n - 1 : 1, '*');
}

}  // namespace jiceng::domain
