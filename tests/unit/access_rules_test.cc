// The pure access rules: scopes as code prefixes, permissions by role, masking.
#include <gtest/gtest.h>

#include "domain/access.h"

namespace jiceng::domain {
namespace {

TEST(Scope, IsTheSubtreeByCodePrefix) {
  EXPECT_TRUE(in_scope("360603", "360603"));
  EXPECT_TRUE(in_scope("360603", "360603102"));
  EXPECT_TRUE(in_scope("3606", "360602001001"));
  EXPECT_FALSE(in_scope("360603", "360602001001"));  // 余江区 sees nothing of 月湖区
  EXPECT_FALSE(in_scope("360603", "3606"));          // nor the city above it
  EXPECT_FALSE(in_scope("", "360603"));              // an empty scope covers nothing
}

TEST(Scope, RangeHoldsExactlyTheSubtree) {
  auto [first, last] = scope_range("360603");
  for (std::string code : {"360603", "360603001", "360603999999"}) {
    EXPECT_TRUE(code >= first && code < last) << code;
  }
  for (std::string code : {"360602999999", "360604", "36060", "3607"}) {
    EXPECT_FALSE(code >= first && code < last) << code;
  }
  auto [f9, l9] = scope_range("360609");  // the last digit rolls past '9' and still bounds
  EXPECT_TRUE(std::string("360609123") < l9);
  EXPECT_FALSE(std::string("36061") < l9 && std::string("36061") >= f9);
}

TEST(Roles, RoundTripAndStaffSet) {
  for (Role r : all_roles()) {
    auto back = role_from_string(to_string(r));
    ASSERT_TRUE(back) << to_string(r);
    EXPECT_EQ(*back, r);
    EXPECT_EQ(RoleSet::staff().contains(r), is_staff(r));
  }
  EXPECT_FALSE(role_from_string("root"));
  EXPECT_FALSE(role_from_string(""));
  EXPECT_EQ(all_roles().size(), static_cast<std::size_t>(kRoleCount));
}

// A leader reads and supervises (督办): the one thing they may do to a case is move it a level
// up with a reason; they neither accept, handle nor close.
TEST(Permissions, LeadersReadAndOnlyEscalate) {
  EXPECT_TRUE(may_read_cases(Role::kLeader));
  for (Command c : kAllCommands) {
    EXPECT_EQ(may_command(Role::kLeader, c), c == Command::kEscalate) << to_string(c);
  }
}

TEST(Permissions, AdminsAuditorsAndAppsDoNoCasework) {
  for (Role r : {Role::kAdmin, Role::kAuditor, Role::kApp, Role::kMediator}) {
    EXPECT_FALSE(may_read_cases(r)) << to_string(r);
    for (Command c : kAllCommands) EXPECT_FALSE(may_command(r, c)) << to_string(r);
  }
}

TEST(Permissions, ResidentsAskButDoNotDecide) {
  for (Command c : {Command::kRequestReview, Command::kRequestReReview, Command::kEscalate,
                    Command::kFollowUp}) {
    EXPECT_TRUE(may_command(Role::kResident, c)) << to_string(c);
  }
  for (Command c : {Command::kAccept, Command::kResolve, Command::kClose, Command::kAssign,
                    Command::kApproveExtension, Command::kReopen}) {
    EXPECT_FALSE(may_command(Role::kResident, c)) << to_string(c);
  }
}

TEST(Permissions, OnlyUnitHeadsApproveExtensions) {
  for (Role r : all_roles()) {
    EXPECT_EQ(may_command(r, Command::kApproveExtension), r == Role::kUnitHead) << to_string(r);
  }
  EXPECT_TRUE(acts_for_unit(Role::kHandler));
  EXPECT_FALSE(acts_for_unit(Role::kOperator));
}

TEST(Masking, PhonesEmailsIdsAndNames) {
  EXPECT_EQ(mask_contact("13812345678"), "138****5678");
  EXPECT_EQ(mask_contact("zhang@example.cn"), "z***@example.cn");
  EXPECT_EQ(mask_contact("0701-6221234"), "070****1234");
  EXPECT_EQ(mask_id_number("360602199001011234"), "360602********1234");
  EXPECT_EQ(mask_name("张三丰"), "张**");
  EXPECT_EQ(mask_name("李"), "李*");
  EXPECT_EQ(mask_name(""), "");
  // Never leaks more than the first character of something unrecognised, never splits UTF-8.
  EXPECT_EQ(mask_contact("微信号abc"), "微*****");
}

TEST(Principal, ActorNamesForTheAuditLog) {
  EXPECT_EQ((Principal{.role = Role::kHandler, .id = 7, .username = "li.si"}).actor(), "li.si");
  EXPECT_EQ((Principal{.role = Role::kResident, .id = 7, .username = "138"}).actor(), "resident:7");
  EXPECT_EQ((Principal{.role = Role::kApp, .id = 3, .username = "city app"}).actor(), "app:3");
}

}  // namespace
}  // namespace jiceng::domain
