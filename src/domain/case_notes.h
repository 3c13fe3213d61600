// The notes jiceng itself writes on a case's events, in Chinese: an event's note is stored text,
// the record, and zh-CN is the deployment's language. english() reads them back for the English
// UI. One place for both CaseService
// and the demo generator, so that real and demo timelines read the same.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "domain/case.h"
#include "domain/deadline.h"

namespace jiceng::domain::notes {

// register: "分派至余家村民委员会", or that the chain above the place has no unit.
std::string routed(std::string_view unit_name);
std::string no_unit();
// A repeat linked to the open case (Art. 19), on the new case and on the open one. On the new
// case it tells the person where the matter stands: the open case's number and the unit
// handling it ("" when it has none yet).
std::string repeat_of(std::string_view open_number, std::string_view unit_name);
std::string submitted_again(std::string_view new_number);
// The number a submitted_again note names; "" for any other note.
std::string number_submitted_again(std::string_view note);
// For a reader who may not see the other case of a merge (its number would tell of a case
// outside their reach): "已并入另一在办案件", "同一事项再次反映".
std::string merged_elsewhere();
std::string submitted_again_elsewhere();
// approve_extension: "延期 30 天：理由" (the reason told to the petitioner, Art. 34); for a clock
// counted in working days "延期 5 个工作日：理由", as the extension is counted.
std::string extension(int days, PeriodUnit unit, std::string_view reason);
// request_extension with the days asked for: "申请延期 20 天：理由" (个工作日 alike), which the
// unit head reads before granting; extension_request_reason gives the reason back.
std::string extension_request(int days, PeriodUnit unit, std::string_view reason);
std::string extension_request_reason(std::string_view note);
// The days such a request asked for (1 to 999); nullopt when it named none.
std::optional<int> extension_request_days(std::string_view note);
// 交办, 改派 or 返工 with a time limit, and the deadline it gives:
// "限 3 个工作日内办结（2026-03-09 24:00 前）：备注".
std::string time_limit(const Period& limit, Instant deadline, std::string_view note);
// On the tracking page of a repeat merged into another person's case, instead of that case's
// reply (written to its own submitter): that the matter was answered, and that the unit
// answers this person itself. Chinese and English, as the page shows it to anyone.
std::string answered_by_unit();
// A transfer that moved the case's place.
std::string place_moved(std::string_view note, std::string_view from_place);
// Dispatch to a unit below the case's place (交办 to a township of the county node a transfer
// left it on): "备注；发生地点由 360681 明确到 360681001".
std::string place_refined(std::string_view note, std::string_view from_place,
                          std::string_view to_place);
// merge: "并入 360602-2026-000123：备注".
std::string merged_into(std::string_view target, std::string_view note);
// A merge event's note without the remark staff added to merged_into (it may name the other
// case's person): "并入 TARGET". Other notes (the system's 重复件 line) are returned as they are.
std::string merged_into_without_remark(std::string_view note, std::string_view target);
// The scheduler's events, naming the clock (受理时限, 办理时限, 答复时限) and its deadline in
// China time: "已超过办理时限（期限 2026-03-16 24:00）".
std::string warned(ClockKind clock, Instant deadline);
std::string breached(ClockKind clock, Instant deadline);
// recompute_deadline (the official calendar changed): "期限按更新后的法定节假日重新计算：OLD →
// NEW".
std::string deadline_recomputed(std::string_view old_deadline, std::string_view new_deadline);
std::string escalated_on_breach(std::string_view unit_name);
// A resident's escalation of a case that is already with the highest unit of the deployment:
// recorded for that unit's supervision, with the resident's reason.
std::string escalation_at_top(std::string_view unit_name, std::string_view reason);
// A resident's escalation of a case that a resident's escalation brought to this unit, which has
// not acted on it yet: recorded for its supervision, with the reason.
std::string escalation_pending(std::string_view unit_name, std::string_view reason);

// The note of an event (its command and actor as CaseEvent records them) in English when jiceng
// wrote it — the formats above, each only on the event that writes it, so that words a person
// typed are never read as the system's (a return's reason "分派至…有误" is not a routing) — with
// what staff or the resident added kept as written: "分派至余家村民委员会" on register → "Routed
// to 余家村民委员会", "限 3 个工作日内办结（2026-03-09 24:00 前）：请尽快" on assign → "To be
// finished within 3 working days (by 2026-03-09 24:00): 请尽快", "满意: 谢谢" on follow_up →
// "Satisfied: 谢谢". nullopt for a note a person wrote alone. The stored Chinese note stays the
// record; this is how the English workbench and tracking page read it.
std::optional<std::string> english(std::string_view command, std::string_view actor,
                                   std::string_view note);

}  // namespace jiceng::domain::notes
