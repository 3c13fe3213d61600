// The case workflow as data: for each kind of case, a table of (state, command) → next state,
// with the guards the command must pass and what it does to the case's clock. Tests enumerate
// the table; GET /api/v1/workflows/{kind} returns it; the app layer looks commands up in it and
// never hard-codes a transition.
//
// The demand path (诉求, 12345): registered → accepted (受理) or declined (不予受理) → assigned
// (交办) → in_progress → resolved (办结, written reply) → followed_up (回访, rating) → closed
// (结案), with side paths: transfer (转送), return (退单) and re-dispatch (改派), extension (延期),
// reopen (返工) after an unsatisfied rating, escalation (提级), merge into an open repeat (并单).
// Petitions (信访) add review (复查) and re-review (复核) after the written reply.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace jiceng::domain {

enum class CaseKind { kDemand, kPetition };
std::string_view to_string(CaseKind kind);  // "demand", "petition"
[[nodiscard]] Result<CaseKind> case_kind_from_string(std::string_view s);

enum class CaseState {
  kRegistered,          // 登记: received, not yet accepted
  kDeclined,            // 不予受理: with written reasons
  kAccepted,            // 受理: accepted, waiting for dispatch
  kAssigned,            // 交办: sent to a unit with a deadline
  kReturned,            // 退单: the unit sent it back with a reason; waiting for re-dispatch
  kInProgress,          // 办理中
  kExtensionRequested,  // 延期申请中
  kResolved,            // 办结: written reply given
  kFollowedUp,          // 已回访: the resident rated the answer
  kClosed,              // 结案
  kUnderReview,         // 复查中 (petitions)
  kReviewed,            // 复查已答复: the review reply was given (petitions)
  kUnderReReview,       // 复核中 (petitions)
  kMerged,              // 并单: linked into an open case as a repeat
};
inline constexpr CaseState kAllStates[] = {CaseState::kRegistered,         CaseState::kDeclined,
                                           CaseState::kAccepted,           CaseState::kAssigned,
                                           CaseState::kReturned,           CaseState::kInProgress,
                                           CaseState::kExtensionRequested, CaseState::kResolved,
                                           CaseState::kFollowedUp,         CaseState::kClosed,
                                           CaseState::kUnderReview,        CaseState::kReviewed,
                                           CaseState::kUnderReReview,      CaseState::kMerged};
std::string_view to_string(CaseState s);  // "registered", …
std::string_view label_zh(CaseState s);   // "登记", …
[[nodiscard]] Result<CaseState> case_state_from_string(std::string_view s);
// Declined and merged cases are final: no command applies to them. (A closed case may still be
// reopened or reviewed, within the rules.)
bool is_terminal(CaseState s);
// Whether the matter is being handled in this state: registered, accepted, assigned, returned,
// in progress, an extension asked for, a review or re-review under way. A repeat is linked
// (Art. 19) or merged (并单) only into such a case: one answered and waiting for its rating or
// closing, reviewed, closed, declined or merged has nobody at work on it, and a repeat there
// would be hidden from everyone.
bool is_being_handled(CaseState s);

enum class Command {
  kAccept,            // 受理
  kDecline,           // 不予受理 (reason required)
  kAssign,            // 交办 to a unit, with a deadline
  kTransfer,          // 转送 to another unit or jurisdiction
  kReturn,            // 退单 (reason required)
  kRedispatch,        // 改派 to another unit
  kStart,             // 开始办理
  kRequestExtension,  // 申请延期 (reason and days required)
  kApproveExtension,  // 批准延期
  kDenyExtension,     // 不批准延期
  kResolve,           // 办结, with the written reply
  kFollowUp,          // 回访, with the resident's rating
  kClose,             // 结案
  kReopen,            // 返工 after an unsatisfied rating
  kRequestReview,     // 申请复查 (within the window after the reply)
  kReplyReview,       // 复查答复
  kRequestReReview,   // 申请复核 (within the window after the review reply)
  kReplyReReview,     // 复核答复
  kEscalate,          // 提级: to the unit one level up (reason required)
  kMerge,             // 并单 into an open case
};
inline constexpr Command kAllCommands[] = {Command::kAccept,
                                           Command::kDecline,
                                           Command::kAssign,
                                           Command::kTransfer,
                                           Command::kReturn,
                                           Command::kRedispatch,
                                           Command::kStart,
                                           Command::kRequestExtension,
                                           Command::kApproveExtension,
                                           Command::kDenyExtension,
                                           Command::kResolve,
                                           Command::kFollowUp,
                                           Command::kClose,
                                           Command::kReopen,
                                           Command::kRequestReview,
                                           Command::kReplyReview,
                                           Command::kRequestReReview,
                                           Command::kReplyReReview,
                                           Command::kEscalate,
                                           Command::kMerge};
std::string_view to_string(Command c);  // "accept", "request_extension", …
std::string_view label_zh(Command c);   // "受理", …
[[nodiscard]] Result<Command> command_from_string(std::string_view s);

// What a command needs beyond being allowed in the state. The app layer checks each one.
enum class Guard {
  kReason,           // a written reason (note) is required
  kReply,            // a written reply is required
  kUnit,             // a target unit is required
  kRating,           // a rating (satisfied / basically / unsatisfied) is required
  kUnsatisfied,      // the last rating was 不满意, or the case was closed without a rating
  kFirstExtension,   // no extension was granted before (one extension at most)
  kReviewWindow,     // within the window after the (review) reply
  kObjectionWindow,  // within the window after the unit received the matter (异议期)
  kTargetCase,       // an open case to merge into is required
  kHigherLevel,      // there is a unit one level up in the tree above the case's place
};
std::string_view to_string(Guard g);

// What a command does to the case's running deadline.
enum class ClockEffect {
  kNone,         // the clock runs on unchanged
  kAcceptance,   // start the acceptance/dispatch clock (e.g. petitions: 15 days)
  kHandling,     // start the handling clock (category limit; petitions: 60 days)
  kExtend,       // push the handling deadline by the approved extension
  kReviewReply,  // start the review/re-review reply clock (30 days)
  kStop,         // no clock (waiting on the resident or finished)
};
std::string_view to_string(ClockEffect e);

struct Transition {
  CaseState from;
  Command command;
  CaseState to;
  std::vector<Guard> guards;
  ClockEffect clock = ClockEffect::kNone;
  bool public_event = true;  // shown on the resident's tracking page
  // The command may carry a time limit for the unit that handles the case (a demand's 交办, 改派,
  // 返工: "限 N 个工作日办结"): the handling clock it starts then counts that limit, which may not
  // end later than the category's own.
  bool takes_time_limit = false;
};

// The table for a kind, in a stable order.
const std::vector<Transition>& workflow(CaseKind kind);
// The transition for (state, command), or nullptr when the command is not allowed there.
const Transition* find_transition(CaseKind kind, CaseState from, Command command);
// The commands allowed in a state, in table order (for 409 answers and the UI's action bar).
std::vector<Command> allowed_commands(CaseKind kind, CaseState from);

}  // namespace jiceng::domain
