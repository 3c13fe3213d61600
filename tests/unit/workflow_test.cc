#include "domain/workflow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "domain/case_notes.h"

namespace jiceng::domain {
namespace {

constexpr CaseKind kKinds[] = {CaseKind::kDemand, CaseKind::kPetition};

TEST(Workflow, EachStateCommandPairAppearsOnce) {
  for (CaseKind kind : kKinds) {
    std::set<std::pair<CaseState, Command>> seen;
    for (const auto& t : workflow(kind)) {
      EXPECT_TRUE(seen.insert({t.from, t.command}).second)
          << to_string(kind) << ": " << to_string(t.from) << " × " << to_string(t.command);
    }
  }
}

// Every state can be reached from registration, and only the final states are dead ends.
TEST(Workflow, ReachabilityAndNoDeadEnds) {
  for (CaseKind kind : kKinds) {
    std::set<CaseState> reached = {CaseState::kRegistered};
    std::deque<CaseState> todo = {CaseState::kRegistered};
    while (!todo.empty()) {
      CaseState s = todo.front();
      todo.pop_front();
      for (const auto& t : workflow(kind)) {
        if (t.from == s && reached.insert(t.to).second) todo.push_back(t.to);
      }
    }
    for (CaseState s : kAllStates) {
      bool review_state = s == CaseState::kUnderReview || s == CaseState::kReviewed ||
                          s == CaseState::kUnderReReview;
      bool expected = kind == CaseKind::kPetition || !review_state;
      EXPECT_EQ(reached.count(s) == 1, expected) << to_string(kind) << " " << to_string(s);
      if (expected) {
        EXPECT_EQ(allowed_commands(kind, s).empty(), is_terminal(s))
            << to_string(kind) << " " << to_string(s);
      }
    }
  }
}

TEST(Workflow, EscalationIsOpenWhileTheMatterIsHandled) {
  for (CaseKind kind : kKinds) {
    for (CaseState s :
         {CaseState::kRegistered, CaseState::kAccepted, CaseState::kAssigned, CaseState::kReturned,
          CaseState::kInProgress, CaseState::kExtensionRequested}) {
      const Transition* t = find_transition(kind, s, Command::kEscalate);
      ASSERT_NE(t, nullptr) << to_string(s);
      EXPECT_EQ(t->to, s);
      EXPECT_NE(std::find(t->guards.begin(), t->guards.end(), Guard::kReason), t->guards.end());
    }
  }
  // A review body that does not answer does not end it either (petitions).
  for (CaseState s : {CaseState::kUnderReview, CaseState::kUnderReReview}) {
    const Transition* t = find_transition(CaseKind::kPetition, s, Command::kEscalate);
    ASSERT_NE(t, nullptr) << to_string(s);
    EXPECT_EQ(t->to, s);
    EXPECT_EQ(t->clock, ClockEffect::kNone) << "the reply clock keeps running";
  }
  // Nor an answered demand, which has no review, once the resident rated it unsatisfied.
  for (CaseState s : {CaseState::kFollowedUp, CaseState::kClosed}) {
    const Transition* t = find_transition(CaseKind::kDemand, s, Command::kEscalate);
    ASSERT_NE(t, nullptr) << to_string(s);
    EXPECT_EQ(t->to, s);
    EXPECT_NE(std::find(t->guards.begin(), t->guards.end(), Guard::kUnsatisfied), t->guards.end());
  }
}

// 退单 as another jurisdiction's matter: the office can forward it there (转送), which
// re-dispatch, bound to the place's chain, cannot.
TEST(Workflow, AReturnedCaseCanBeTransferred) {
  for (CaseKind kind : kKinds) {
    const Transition* t = find_transition(kind, CaseState::kReturned, Command::kTransfer);
    ASSERT_NE(t, nullptr) << to_string(kind);
    EXPECT_EQ(t->to, CaseState::kRegistered);
    EXPECT_NE(std::find(t->guards.begin(), t->guards.end(), Guard::kReason), t->guards.end());
  }
}

// Repeats are linked and merged only where someone works the matter (Art. 19, 并单).
TEST(Workflow, BeingHandledIsFromRegistrationToTheAnswerAndUnderReview) {
  const std::set<CaseState> handled = {CaseState::kRegistered,  CaseState::kAccepted,
                                       CaseState::kAssigned,    CaseState::kReturned,
                                       CaseState::kInProgress,  CaseState::kExtensionRequested,
                                       CaseState::kUnderReview, CaseState::kUnderReReview};
  for (CaseState s : kAllStates) {
    EXPECT_EQ(is_being_handled(s), handled.contains(s)) << to_string(s);
    // Nothing waits on a state being handled that no command leaves.
    EXPECT_FALSE(is_being_handled(s) && is_terminal(s)) << to_string(s);
  }
}

TEST(Workflow, ReviewOnlyForPetitions) {
  EXPECT_EQ(find_transition(CaseKind::kDemand, CaseState::kResolved, Command::kRequestReview),
            nullptr);
  const Transition* review =
      find_transition(CaseKind::kPetition, CaseState::kClosed, Command::kRequestReview);
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->to, CaseState::kUnderReview);
  EXPECT_EQ(review->clock, ClockEffect::kReviewReply);
  // After the re-review opinion the matter is final: closed, and no second review.
  const Transition* final_reply =
      find_transition(CaseKind::kPetition, CaseState::kUnderReReview, Command::kReplyReReview);
  ASSERT_NE(final_reply, nullptr);
  EXPECT_EQ(final_reply->to, CaseState::kClosed);
}

// RULES.md (Art. 36): the re-review may be asked within 30 days of the review answer, whether or
// not the case was closed in between; the window guard keeps it to that answer and to once.
TEST(Workflow, AClosedPetitionMayStillAskForTheReReview) {
  for (CaseState s : {CaseState::kReviewed, CaseState::kClosed}) {
    const Transition* t = find_transition(CaseKind::kPetition, s, Command::kRequestReReview);
    ASSERT_NE(t, nullptr) << to_string(s);
    EXPECT_EQ(t->to, CaseState::kUnderReReview);
    EXPECT_EQ(t->clock, ClockEffect::kReviewReply);
    EXPECT_EQ(t->guards, std::vector<Guard>{Guard::kReviewWindow});
  }
  EXPECT_EQ(find_transition(CaseKind::kDemand, CaseState::kClosed, Command::kRequestReReview),
            nullptr);
}

TEST(Workflow, TheDemandPath) {
  struct Step {
    Command command;
    CaseState to;
  } path[] = {{Command::kAccept, CaseState::kAccepted},
              {Command::kAssign, CaseState::kAssigned},
              {Command::kStart, CaseState::kInProgress},
              {Command::kRequestExtension, CaseState::kExtensionRequested},
              {Command::kApproveExtension, CaseState::kInProgress},
              {Command::kResolve, CaseState::kResolved},
              {Command::kFollowUp, CaseState::kFollowedUp},
              {Command::kReopen, CaseState::kInProgress},
              {Command::kResolve, CaseState::kResolved},
              {Command::kFollowUp, CaseState::kFollowedUp},
              {Command::kClose, CaseState::kClosed}};
  CaseState s = CaseState::kRegistered;
  for (const auto& step : path) {
    const Transition* t = find_transition(CaseKind::kDemand, s, step.command);
    ASSERT_NE(t, nullptr) << to_string(s) << " × " << to_string(step.command);
    EXPECT_EQ(t->to, step.to);
    s = t->to;
  }
  EXPECT_EQ(find_transition(CaseKind::kDemand, CaseState::kClosed, Command::kResolve), nullptr);
  auto allowed = allowed_commands(CaseKind::kDemand, CaseState::kResolved);
  EXPECT_EQ(allowed, (std::vector<Command>{Command::kFollowUp, Command::kClose}));
}

TEST(Workflow, NamesRoundTrip) {
  for (CaseState s : kAllStates) {
    auto back = case_state_from_string(to_string(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
    EXPECT_FALSE(label_zh(s).empty());
  }
  for (Command c : kAllCommands) {
    auto back = command_from_string(to_string(c));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, c);
    EXPECT_FALSE(label_zh(c).empty());
  }
  EXPECT_FALSE(command_from_string("approve"));
  EXPECT_FALSE(case_kind_from_string("dispute"));
}

// The days asked for lead the request's note, in the clock's unit; the approval tells the
// reason without them. A reason written that way by hand stays whole.
TEST(CaseNotes, AnExtensionRequestKeepsItsReason) {
  const std::string asked = notes::extension_request(20, PeriodUnit::kCalendarDays, "需现场勘测");
  EXPECT_EQ(asked, "申请延期 20 天：需现场勘测");
  EXPECT_EQ(notes::extension_request_reason(asked), "需现场勘测");
  EXPECT_EQ(notes::extension_request(3, PeriodUnit::kWorkingDays, ""), "申请延期 3 个工作日");
  EXPECT_EQ(notes::extension_request_reason("申请延期 3 个工作日"), "");
  EXPECT_EQ(notes::extension_request_reason("申请延期 因天气：施工暂停"),
            "申请延期 因天气：施工暂停");
  EXPECT_EQ(notes::extension_request_reason("需现场勘测"), "需现场勘测");
  EXPECT_EQ(notes::extension_request_days(asked), 20);
  EXPECT_EQ(notes::extension_request_days("申请延期 3 个工作日"), 3);
  EXPECT_EQ(notes::extension_request_days("申请延期 因天气：施工暂停"), std::nullopt);
  EXPECT_EQ(notes::extension_request_days("申请延期 3 周：施工暂停"), std::nullopt);
  EXPECT_EQ(notes::extension_request_days("需现场勘测"), std::nullopt);
}

// Every note jiceng writes reads in English in the English UI, on the event that writes it, with
// what people added kept as written; a note a person wrote alone has no English form (the stored
// text is the record), even when it happens to begin like one of jiceng's.
TEST(CaseNotes, JicengsOwnNotesReadInEnglish) {
  const Instant deadline = china_midnight(*parse_date("2026-03-10"));
  const Period three_working{3, PeriodUnit::kWorkingDays};
  struct Case {
    std::string command, actor, note, english;
  };
  const std::vector<Case> cases = {
      {"register", "operator", notes::routed("余家村民委员会"), "Routed to 余家村民委员会"},
      {"register", "resident", notes::no_unit(),
       "No unit at the place or above it can handle this"},
      {"merge", "system", notes::repeat_of("360602-2026-000123", "余家村民委员会"),
       "A repeat: linked to case 360602-2026-000123, being handled by 余家村民委员会"},
      {"merge", "system", notes::repeat_of("360602-2026-000123", ""),
       "A repeat: linked to case 360602-2026-000123"},
      {"repeat", "system", notes::submitted_again("360602-2026-000124"),
       "The same matter was submitted again as 360602-2026-000124"},
      {"repeat", "", notes::submitted_again_elsewhere(), "The same matter was submitted again"},
      {"merge", "", notes::merged_elsewhere(), "Merged into another case being handled"},
      {"approve_extension", "head", notes::extension(30, PeriodUnit::kCalendarDays, "需现场勘测"),
       "Extended by 30 days: 需现场勘测"},
      {"approve_extension", "head", notes::extension(1, PeriodUnit::kWorkingDays, ""),
       "Extended by 1 working day"},
      {"request_extension", "handler",
       notes::extension_request(20, PeriodUnit::kCalendarDays, "需现场勘测"),
       "Extension of 20 days requested: 需现场勘测"},
      {"assign", "operator", notes::time_limit(three_working, deadline, "请尽快"),
       "To be finished within 3 working days (by 2026-03-09 24:00): 请尽快"},
      {"reopen", "operator", notes::time_limit({24, PeriodUnit::kHours}, deadline, ""),
       "To be finished within 24 hours (by 2026-03-09 24:00)"},
      {"redispatch", "operator",
       notes::time_limit(three_working, deadline,
                         notes::place_refined("请核实", "360681", "360681001")),
       "To be finished within 3 working days (by 2026-03-09 24:00): 请核实; place narrowed "
       "from 360681 to 360681001"},
      {"assign", "operator", notes::place_refined("", "360681", "360681001"),
       "place narrowed from 360681 to 360681001"},
      {"transfer", "operator", notes::place_moved("属县级部门职责", "360602001"),
       "属县级部门职责; moved away from place 360602001"},
      {"transfer", "operator", notes::place_moved("原发生地点由 村民告知", "360602001"),
       "原发生地点由 村民告知; moved away from place 360602001"},
      {"merge", "operator", notes::merged_into("360602-2026-000123", "同一路段"),
       "Merged into 360602-2026-000123: 同一路段"},
      {"warn", "system", notes::warned(ClockKind::kAcceptance, deadline),
       "80% of the time limit for acceptance used (deadline 2026-03-09 24:00)"},
      {"breach", "system", notes::breached(ClockKind::kHandling, deadline),
       "The time limit for handling has passed (deadline 2026-03-09 24:00)"},
      {"breach", "system", notes::breached(ClockKind::kReviewReply, deadline),
       "The time limit for the reply has passed (deadline 2026-03-09 24:00)"},
      {"recompute_deadline", "system",
       notes::deadline_recomputed("2026-03-09 24:00", "2026-03-10 24:00"),
       "Deadline counted again on the updated official holidays: 2026-03-09 24:00 → 2026-03-10 "
       "24:00"},
      {"escalate", "system", notes::escalated_on_breach("鹰潭市信访局"),
       "Not finished in time; escalated to 鹰潭市信访局"},
      {"escalate", "resident", notes::escalation_at_top("鹰潭市信访局", "一直没人管"),
       "Already with 鹰潭市信访局, the highest unit here; the request to escalate is recorded "
       "for supervision: 一直没人管"},
      {"escalate", "", notes::escalation_pending("月湖区人民政府", "一直没人管"),
       "Already escalated to 月湖区人民政府, which has not acted yet; the request to escalate is "
       "recorded for supervision: 一直没人管"},
      {"follow_up", "resident", "满意", "Satisfied"},
      {"follow_up", "resident", "基本满意: 谢谢", "Basically satisfied: 谢谢"},
      {"follow_up", "resident", "不满意: 路灯又坏了", "Unsatisfied: 路灯又坏了"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(notes::english(c.command, c.actor, c.note), c.english) << c.command << " " << c.note;
  }
  // What people type, even in the system's words, on events where jiceng does not write them.
  const std::vector<std::pair<std::string, std::string>> typed = {
      {"escalate", "分派至街道后一直没人管"},
      {"return", "分派至本单位有误，请改派"},
      {"request_extension", "延期 3 天：等待材料"},
      {"escalate", "超期未办结，提级至县里处理"},
      {"assign", "并入 其他案件一并处理"},
      {"resolve", "已超过办理时限（期限 2026-03-09 24:00）"},
      {"accept", "已电话联系群众"},
      {"approve_extension", "延期 一周：施工暂停"},
      {"assign", "限期整改"},
      {"merge", "并入"},
      {"transfer", "发生地点由村民告知"},
      {"register", ""},
      {"follow_up", "满意度调查"},
  };
  for (const auto& [command, note] : typed) {
    EXPECT_EQ(notes::english(command, "someone", note), std::nullopt) << command << " " << note;
  }
}

}  // namespace
}  // namespace jiceng::domain
