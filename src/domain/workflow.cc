#include "domain/workflow.h"

#include <algorithm>

namespace jiceng::domain {

namespace {

using S = CaseState;
using C = Command;
using G = Guard;
using K = ClockEffect;

// Transitions both kinds share. Escalation is open in every state where the matter is still
// being handled, at a leader's or the resident's request: nothing blocks it.
std::vector<Transition> common_transitions() {
  std::vector<Transition> t = {
      {S::kRegistered, C::kAccept, S::kAccepted, {}, K::kNone},
      {S::kRegistered, C::kDecline, S::kDeclined, {G::kReason}, K::kStop},
      {S::kRegistered, C::kTransfer, S::kRegistered, {G::kUnit, G::kReason}, K::kAcceptance},
      {S::kRegistered, C::kMerge, S::kMerged, {G::kTargetCase}, K::kStop},
      {S::kAccepted, C::kAssign, S::kAssigned, {G::kUnit}, K::kHandling},
      {S::kAccepted, C::kTransfer, S::kRegistered, {G::kUnit, G::kReason}, K::kAcceptance},
      {S::kAccepted, C::kMerge, S::kMerged, {G::kTargetCase}, K::kStop},
      {S::kAssigned, C::kStart, S::kInProgress, {}, K::kNone},
      {S::kAssigned, C::kReturn, S::kReturned, {G::kReason}, K::kNone, false},
      {S::kAssigned,
       C::kRequestExtension,
       S::kExtensionRequested,
       {G::kReason, G::kFirstExtension},
       K::kNone,
       false},
      {S::kAssigned, C::kResolve, S::kResolved, {G::kReply}, K::kStop},
      {S::kReturned, C::kRedispatch, S::kAssigned, {G::kUnit}, K::kHandling},
      {S::kReturned, C::kDecline, S::kDeclined, {G::kReason}, K::kStop},
      // Returned as another jurisdiction's matter (退单: "not our area"): the office forwards it
      // there, as it would before dispatch; re-dispatch stays on the place's own chain.
      {S::kReturned, C::kTransfer, S::kRegistered, {G::kUnit, G::kReason}, K::kAcceptance},
      {S::kInProgress, C::kReturn, S::kReturned, {G::kReason}, K::kNone, false},
      {S::kInProgress,
       C::kRequestExtension,
       S::kExtensionRequested,
       {G::kReason, G::kFirstExtension},
       K::kNone,
       false},
      {S::kInProgress, C::kResolve, S::kResolved, {G::kReply}, K::kStop},
      {S::kExtensionRequested, C::kApproveExtension, S::kInProgress, {}, K::kExtend},
      {S::kExtensionRequested, C::kDenyExtension, S::kInProgress, {G::kReason}, K::kNone, false},
      {S::kExtensionRequested, C::kResolve, S::kResolved, {G::kReply}, K::kStop},
      {S::kResolved, C::kFollowUp, S::kFollowedUp, {G::kRating}, K::kNone},
      {S::kResolved, C::kClose, S::kClosed, {G::kReason}, K::kStop},
      {S::kFollowedUp, C::kClose, S::kClosed, {}, K::kStop},
      {S::kFollowedUp, C::kReopen, S::kInProgress, {G::kUnsatisfied}, K::kHandling},
  };
  for (S s : {S::kRegistered, S::kAccepted, S::kAssigned, S::kReturned, S::kInProgress,
              S::kExtensionRequested}) {
    t.push_back({s, C::kEscalate, s, {G::kReason, G::kHigherLevel}, K::kNone});
  }
  return t;
}

std::vector<Transition> demand_table() {
  // A demand's time limit runs from receipt until it is dispatched (the hotline's own clock), and
  // then anew from each dispatch (交办, 改派): the limit is the handling unit's, counted from when
  // the work order reaches it (接诉即办 practice), so a unit that gets a returned order late
  // still has its whole limit, and the time before dispatch was the dispatcher's, on its clock.
  auto t = common_transitions();
  // A closed demand whose answer the resident rated unsatisfied can be reworked.
  t.push_back({S::kClosed, C::kReopen, S::kInProgress, {G::kUnsatisfied}, K::kHandling});
  // A demand has no review: a resident unsatisfied with the answer can still take it one level
  // up (nothing blocks an escalation), where the higher unit sees it and can have it reworked.
  for (S s : {S::kFollowedUp, S::kClosed}) {
    t.push_back({s, C::kEscalate, s, {G::kReason, G::kUnsatisfied, G::kHigherLevel}, K::kNone});
  }
  // The office may give the unit less time than the category's limit (交办 "限 3 个工作日办结"),
  // also when it has an answer reworked (返工): each of them starts the handling clock anyway.
  // A petition's time is the statute's (60 days from acceptance, Art. 34): none of its commands
  // takes a time limit.
  for (Transition& tr : t) {
    tr.takes_time_limit =
        tr.command == C::kAssign || tr.command == C::kRedispatch || tr.command == C::kReopen;
  }
  return t;
}

std::vector<Transition> petition_table() {
  auto t = common_transitions();
  // A petition's 60 days run from acceptance (受理, Art. 34), not from dispatch: accepting starts
  // the handling clock, and assigning or re-dispatching it later does not restart it.
  for (Transition& tr : t) {
    if (tr.from == S::kRegistered && tr.command == C::kAccept) tr.clock = K::kHandling;
    if (tr.command == C::kAssign || tr.command == C::kRedispatch) tr.clock = K::kNone;
  }
  // A body that finds a petition assigned to it outside its remit objects (提出异议) with its
  // reasons within 5 working days of receipt (Art. 23): the return (退单) is that objection, and
  // after the window the body handles the matter or escalates it as beyond its competence.
  for (Transition& tr : t) {
    if (tr.command == C::kReturn) tr.guards.push_back(G::kObjectionWindow);
  }
  // 复查 within 30 days of the written reply, to the body one level up; 复核 within 30 days of
  // the review reply. After re-review the matter is final (信访工作条例 Arts. 35-36).
  for (S s : {S::kResolved, S::kFollowedUp, S::kClosed}) {
    t.push_back({s, C::kRequestReview, S::kUnderReview, {G::kReviewWindow}, K::kReviewReply});
  }
  t.push_back({S::kUnderReview, C::kReplyReview, S::kReviewed, {G::kReply}, K::kStop});
  t.push_back(
      {S::kReviewed, C::kRequestReReview, S::kUnderReReview, {G::kReviewWindow}, K::kReviewReply});
  t.push_back({S::kReviewed, C::kClose, S::kClosed, {}, K::kStop});
  // Closing after the review answer does not take the re-review away: its 30 days run from that
  // answer whatever the case's state (the guard also wants a review answered and no re-review).
  t.push_back(
      {S::kClosed, C::kRequestReReview, S::kUnderReReview, {G::kReviewWindow}, K::kReviewReply});
  t.push_back({S::kUnderReReview, C::kReplyReReview, S::kClosed, {G::kReply}, K::kStop});
  // A review body that does not answer is not the end of the road either: the petitioner (or a
  // leader) can still take the matter one level up, and its reply clock keeps running.
  for (S s : {S::kUnderReview, S::kUnderReReview}) {
    t.push_back({s, C::kEscalate, s, {G::kReason, G::kHigherLevel}, K::kNone});
  }
  return t;
}

template <class E, std::size_t N>
Result<E> parse(std::string_view s, const E (&all)[N], std::string_view what,
                std::string_view what_zh) {
  for (E e : all) {
    if (to_string(e) == s) return e;
  }
  return Error::invalid_argument(std::string("unknown ") + std::string(what) + " '" +
                                 std::string(s) + "'")
      .zh("未知的" + std::string(what_zh) + "：" + std::string(s));
}

}  // namespace

std::string_view to_string(CaseKind kind) {
  return kind == CaseKind::kDemand ? "demand" : "petition";
}

Result<CaseKind> case_kind_from_string(std::string_view s) {
  constexpr CaseKind kinds[] = {CaseKind::kDemand, CaseKind::kPetition};
  return parse(s, kinds, "case kind", "案件类型");
}

std::string_view to_string(CaseState s) {
  switch (s) {
    case S::kRegistered:
      return "registered";
    case S::kDeclined:
      return "declined";
    case S::kAccepted:
      return "accepted";
    case S::kAssigned:
      return "assigned";
    case S::kReturned:
      return "returned";
    case S::kInProgress:
      return "in_progress";
    case S::kExtensionRequested:
      return "extension_requested";
    case S::kResolved:
      return "resolved";
    case S::kFollowedUp:
      return "followed_up";
    case S::kClosed:
      return "closed";
    case S::kUnderReview:
      return "under_review";
    case S::kReviewed:
      return "reviewed";
    case S::kUnderReReview:
      return "under_re_review";
    case S::kMerged:
      return "merged";
  }
  return "registered";
}

std::string_view label_zh(CaseState s) {
  switch (s) {
    case S::kRegistered:
      return "已登记";
    case S::kDeclined:
      return "不予受理";
    case S::kAccepted:
      return "已受理";
    case S::kAssigned:
      return "已交办";
    case S::kReturned:
      return "已退单";
    case S::kInProgress:
      return "办理中";
    case S::kExtensionRequested:
      return "延期申请中";
    case S::kResolved:
      return "已办结";
    case S::kFollowedUp:
      return "已回访";
    case S::kClosed:
      return "已结案";
    case S::kUnderReview:
      return "复查中";
    case S::kReviewed:
      return "复查已答复";
    case S::kUnderReReview:
      return "复核中";
    case S::kMerged:
      return "已并单";
  }
  return "";
}

Result<CaseState> case_state_from_string(std::string_view s) {
  return parse(s, kAllStates, "state", "状态");
}

bool is_terminal(CaseState s) { return s == S::kMerged || s == S::kDeclined; }

bool is_being_handled(CaseState s) {
  switch (s) {
    case S::kRegistered:
    case S::kAccepted:
    case S::kAssigned:
    case S::kReturned:
    case S::kInProgress:
    case S::kExtensionRequested:
    case S::kUnderReview:
    case S::kUnderReReview:
      return true;
    case S::kDeclined:
    case S::kResolved:
    case S::kFollowedUp:
    case S::kClosed:
    case S::kReviewed:
    case S::kMerged:
      return false;
  }
  return false;
}

std::string_view to_string(Command c) {
  switch (c) {
    case C::kAccept:
      return "accept";
    case C::kDecline:
      return "decline";
    case C::kAssign:
      return "assign";
    case C::kTransfer:
      return "transfer";
    case C::kReturn:
      return "return";
    case C::kRedispatch:
      return "redispatch";
    case C::kStart:
      return "start";
    case C::kRequestExtension:
      return "request_extension";
    case C::kApproveExtension:
      return "approve_extension";
    case C::kDenyExtension:
      return "deny_extension";
    case C::kResolve:
      return "resolve";
    case C::kFollowUp:
      return "follow_up";
    case C::kClose:
      return "close";
    case C::kReopen:
      return "reopen";
    case C::kRequestReview:
      return "request_review";
    case C::kReplyReview:
      return "reply_review";
    case C::kRequestReReview:
      return "request_re_review";
    case C::kReplyReReview:
      return "reply_re_review";
    case C::kEscalate:
      return "escalate";
    case C::kMerge:
      return "merge";
  }
  return "";
}

std::string_view label_zh(Command c) {
  switch (c) {
    case C::kAccept:
      return "受理";
    case C::kDecline:
      return "不予受理";
    case C::kAssign:
      return "交办";
    case C::kTransfer:
      return "转送";
    case C::kReturn:
      return "退单";
    case C::kRedispatch:
      return "改派";
    case C::kStart:
      return "开始办理";
    case C::kRequestExtension:
      return "申请延期";
    case C::kApproveExtension:
      return "批准延期";
    case C::kDenyExtension:
      return "不批准延期";
    case C::kResolve:
      return "办结答复";
    case C::kFollowUp:
      return "回访";
    case C::kClose:
      return "结案";
    case C::kReopen:
      return "返工";
    case C::kRequestReview:
      return "申请复查";
    case C::kReplyReview:
      return "复查答复";
    case C::kRequestReReview:
      return "申请复核";
    case C::kReplyReReview:
      return "复核答复";
    case C::kEscalate:
      return "提级";
    case C::kMerge:
      return "并单";
  }
  return "";
}

Result<Command> command_from_string(std::string_view s) {
  return parse(s, kAllCommands, "command", "操作");
}

std::string_view to_string(Guard g) {
  switch (g) {
    case G::kReason:
      return "reason";
    case G::kReply:
      return "reply";
    case G::kUnit:
      return "unit";
    case G::kRating:
      return "rating";
    case G::kUnsatisfied:
      return "unsatisfied";
    case G::kFirstExtension:
      return "first_extension";
    case G::kReviewWindow:
      return "review_window";
    case G::kObjectionWindow:
      return "objection_window";
    case G::kTargetCase:
      return "target_case";
    case G::kHigherLevel:
      return "higher_level";
  }
  return "";
}

std::string_view to_string(ClockEffect e) {
  switch (e) {
    case K::kNone:
      return "none";
    case K::kAcceptance:
      return "acceptance";
    case K::kHandling:
      return "handling";
    case K::kExtend:
      return "extend";
    case K::kReviewReply:
      return "review_reply";
    case K::kStop:
      return "stop";
  }
  return "";
}

const std::vector<Transition>& workflow(CaseKind kind) {
  static const std::vector<Transition> demand = demand_table();
  static const std::vector<Transition> petition = petition_table();
  return kind == CaseKind::kDemand ? demand : petition;
}

const Transition* find_transition(CaseKind kind, CaseState from, Command command) {
  const auto& table = workflow(kind);
  auto it = std::find_if(table.begin(), table.end(), [&](const Transition& t) {
    return t.from == from && t.command == command;
  });
  return it == table.end() ? nullptr : &*it;
}

std::vector<Command> allowed_commands(CaseKind kind, CaseState from) {
  std::vector<Command> out;
  for (const auto& t : workflow(kind)) {
    if (t.from == from) out.push_back(t.command);
  }
  return out;
}

}  // namespace jiceng::domain
