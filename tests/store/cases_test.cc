// The case workflow through the app layer, on SQLite and PostgreSQL, over the real 江西省 tree,
// the demo units of 鹰潭市, the seeded category catalogue and the official calendar. Time is a
// fixed clock the tests move; nothing sleeps.
#include "app/cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <thread>

#include "domain/case_notes.h"
#include "domain/deadline.h"
#include "domain/jurisdiction.h"
#include "store/audit_repo.h"
#include "store/catalogue_repo.h"
#include "support/demo_db.h"

namespace jiceng::app {
namespace {

using domain::CaseState;
using domain::Command;
using testing::Backend;

class FixedClock final : public Clock {
 public:
  Instant now() const override { return now_; }
  void set(Instant t) { now_ = t; }
  void advance(std::chrono::microseconds d) { now_ += d; }

 private:
  Instant now_{};
};

Instant cst(const char* day, int hour) {
  return domain::china_midnight(*parse_date(day)) + std::chrono::hours(hour);
}

class Cases : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = testing::demo_database(GetParam());
    ASSERT_TRUE(db_);
    clock_.set(cst("2026-03-02", 9));  // a Monday
    service_ = std::make_unique<CaseService>(*db_, clock_);
  }

  // A fresh submitter per call, so that tests never link to each other's cases as repeats.
  domain::Intake intake(const char* category, const char* place) {
    static int n = 0;
    domain::Intake in;
    in.category_code = category;
    in.place_code = place;
    in.submitter_name = "王五";
    in.submitter_contact =
        "1390000" + std::to_string(1000 + n++) + "-" + testing::to_string(GetParam());
    in.description = "村口垃圾堆放多日无人清运，气味很大。";
    return in;
  }
  domain::Case registered(const domain::Intake& in, const Actor& actor = {}) {
    auto r = service_->register_case(in, actor);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->registered : domain::Case{};
  }
  domain::Case apply(const domain::Case& c, Command command, CommandInput in = {}) {
    auto r = service_->apply(c.number, command, in, c.version, {.name = "handler", .staff = true});
    EXPECT_TRUE(r) << domain::to_string(command) << ": " << r.error().message;
    return r ? *r : c;
  }
  domain::Unit unit_of(const domain::Case& c) {
    auto u = db_->read_value(
        [&](store::Sql& sql) { return store::catalogue::find_unit(sql, *c.unit_id); });
    EXPECT_TRUE(u && *u);
    return u && *u ? **u : domain::Unit{};
  }

  store::Database* db_ = nullptr;
  FixedClock clock_;
  std::unique_ptr<CaseService> service_;
};

TEST_P(Cases, SmallMattersStayInTheVillage) {
  auto c = registered(intake("urban.sanitation", "360602001001"));
  EXPECT_TRUE(std::regex_match(c.number, std::regex(R"(360602-2026-\d{6})"))) << c.number;
  EXPECT_TRUE(
      std::regex_match(c.tracking_code, std::regex(R"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")));
  EXPECT_EQ(c.state, CaseState::kRegistered);
  EXPECT_EQ(c.version, 1);
  ASSERT_TRUE(c.unit_id);
  auto unit = unit_of(c);
  EXPECT_EQ(unit.kind, domain::UnitKind::kVillageCommittee);
  EXPECT_EQ(unit.jurisdiction_code, "360602001001");
  // 7 calendar days from Monday 2026-03-02: ends Monday 03-09 at 24:00 CST.
  ASSERT_TRUE(c.deadline_at);
  EXPECT_EQ(*c.deadline_at, domain::china_midnight(*parse_date("2026-03-10")));
  EXPECT_EQ(c.clock, domain::ClockKind::kHandling);
}

// A staff member of this role and scope (TESTS.md S6, S8, A1: access rules below).
domain::Principal staff(domain::Role role, std::string scope,
                        std::optional<std::int64_t> unit = std::nullopt) {
  return {.role = role,
          .id = 1,
          .username = "t." + std::string(domain::to_string(role)),
          .display_name = {},
          .scope_code = std::move(scope),
          .unit_id = unit};
}

TEST_P(Cases, NumbersRunPerCountyWithoutGaps) {
  auto a = registered(intake("urban.sanitation", "360602001001"));
  auto bad = intake("urban.sanitation", "360602001001");
  bad.category_code = "no.such";
  EXPECT_FALSE(service_->register_case(bad, {}));  // rolled back: takes no number
  auto b = registered(intake("urban.sanitation", "360602001001"));
  auto seq = [](const std::string& n) { return std::stoll(n.substr(n.rfind('-') + 1)); };
  EXPECT_EQ(seq(b.number), seq(a.number) + 1);
  auto other_county = registered(intake("urban.sanitation", "360681001001"));
  EXPECT_EQ(other_county.number.substr(0, 12), "360681-2026-");
}

TEST_P(Cases, TheDemandPathWithVersionsAndRework) {
  auto c = registered(intake("env.noise", "360602001001"));
  auto township = unit_of(c);
  EXPECT_EQ(township.kind, domain::UnitKind::kTownshipGovernment);
  c = apply(c, Command::kAccept);
  c = apply(c, Command::kAssign, {.unit_id = township.id});
  EXPECT_EQ(c.state, CaseState::kAssigned);
  c = apply(c, Command::kStart);
  c = apply(c, Command::kRequestExtension,
            {.note = "需要协调环保部门现场监测", .extension_days = 7});
  // The unit head's form offers the days asked for.
  const Actor head = Actor::of(staff(domain::Role::kLeader, "3606"), {.purpose = "审批延期"});
  auto asked = service_->read(c.number, head);
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_EQ(asked->extension_requested_days, 7);
  c = apply(c, Command::kApproveExtension, {.extension_days = 5});
  EXPECT_EQ(c.extensions, 1);
  auto granted = service_->read(c.number, head);
  ASSERT_TRUE(granted) << granted.error().message;
  EXPECT_EQ(granted->extension_requested_days, std::nullopt) << "nothing awaits approval now";
  auto second =
      service_->apply(c.number, Command::kRequestExtension, {.note = "again"}, c.version, {});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
  clock_.advance(std::chrono::hours(48));
  c = apply(c, Command::kResolve, {.reply = "已责令施工方夜间停工，并安装隔音屏障。"});
  EXPECT_FALSE(c.deadline_at);
  c = apply(c, Command::kFollowUp, {.rating = domain::Rating::kUnsatisfied});
  c = apply(c, Command::kReopen);
  EXPECT_EQ(c.state, CaseState::kInProgress);
  EXPECT_TRUE(c.deadline_at);
  c = apply(c, Command::kResolve, {.reply = "噪声已降至标准以下。"});
  c = apply(c, Command::kFollowUp, {.rating = domain::Rating::kSatisfied});
  c = apply(c, Command::kClose);
  EXPECT_EQ(c.state, CaseState::kClosed);
  auto detail = service_->get(c.number);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->events.size(), 12u);  // register + 11 commands
  EXPECT_EQ(detail->events.front().command, "register");
  EXPECT_EQ(detail->events.back().command, "close");
  EXPECT_EQ(detail->c.version, 12);
}

TEST_P(Cases, StaleVersionsAndIllegalCommandsChangeNothing) {
  auto c = registered(intake("env.noise", "360602001001"));
  auto accepted = apply(c, Command::kAccept);
  auto stale = service_->apply(c.number, Command::kDecline, {.note = "x"}, c.version, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto illegal = service_->apply(c.number, Command::kResolve, {.reply = "x"}, accepted.version, {});
  ASSERT_FALSE(illegal);
  EXPECT_EQ(illegal.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(illegal.error().message.find("assign"), std::string::npos) << illegal.error().message;
  auto no_reason =
      service_->apply(c.number, Command::kTransfer, {.unit_id = *c.unit_id}, accepted.version, {});
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);
  auto after = service_->get(c.number);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->c.version, accepted.version);
  EXPECT_EQ(after->events.size(), 2u);
}

TEST_P(Cases, PetitionAcceptanceClockAcrossNationalDay) {
  // Received by letter on 2025-09-20: 15 days would end on 10-05, inside the holiday, so the
  // period ends at the end of 10-09, the first working day after it.
  clock_.set(cst("2025-09-22", 9));
  auto in = intake("land.compensation", "360603001001");
  in.kind = domain::CaseKind::kPetition;
  in.channel = domain::Channel::kLetter;
  in.received_at = cst("2025-09-20", 10);
  auto c = registered(in, {.name = "operator", .staff = true});
  EXPECT_EQ(c.clock, domain::ClockKind::kAcceptance);
  ASSERT_TRUE(c.deadline_at);
  EXPECT_EQ(*c.deadline_at, domain::china_midnight(*parse_date("2025-10-10")));
  EXPECT_EQ(c.number.substr(0, 12), "360603-2025-");
  // A resident cannot backdate.
  auto resident = intake("land.compensation", "360603001001");
  resident.received_at = cst("2025-09-20", 10);
  EXPECT_FALSE(service_->register_case(resident, {}));
}

TEST_P(Cases, ReviewOnlyWithinItsWindow) {
  auto in = intake("labour.wages", "360681001001");
  in.kind = domain::CaseKind::kPetition;
  auto c = registered(in);
  c = apply(c, Command::kAccept);
  c = apply(c, Command::kAssign, {.unit_id = *c.unit_id});
  EXPECT_EQ(c.clock, domain::ClockKind::kHandling);
  c = apply(c, Command::kResolve, {.reply = "已责令用人单位限期支付拖欠工资。"});
  clock_.advance(std::chrono::days(31));
  auto late = service_->apply(c.number, Command::kRequestReview, {}, c.version, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
  clock_.advance(-std::chrono::days(21));
  c = apply(c, Command::kRequestReview);
  EXPECT_EQ(c.state, CaseState::kUnderReview);
  EXPECT_EQ(c.clock, domain::ClockKind::kReviewReply);
}

TEST_P(Cases, RepeatsLinkToTheOpenCase) {
  // Staff registering a caller know who it is; so does a signed-in resident's account.
  const Actor office{.name = "operator", .staff = true};
  auto in = intake("urban.sanitation", "360602001001");
  auto first = registered(in, office);
  in.description = "又一次反映：垃圾还是没人清运。";
  // A contact typed into the public form proves nothing: not linked.
  auto anonymous_form = service_->register_case(in, {});
  ASSERT_TRUE(anonymous_form) << anonymous_form.error().message;
  EXPECT_FALSE(anonymous_form->repeat_of);
  auto again = service_->register_case(in, office);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_TRUE(again->repeat_of);
  EXPECT_EQ(again->repeat_of->number, first.number);
  EXPECT_EQ(again->registered.state, CaseState::kMerged);
  EXPECT_EQ(again->registered.merged_into, first.number);
  auto open = service_->get(first.number);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->events.back().command, "repeat");
  // The same name however spaced is the same person; another name on the same phone (a
  // household) is not, and their matter is a case of its own, not buried as a repeat.
  in.submitter_name = "王 五";
  auto spaced = service_->register_case(in, office);
  ASSERT_TRUE(spaced) << spaced.error().message;
  ASSERT_TRUE(spaced->repeat_of);
  EXPECT_EQ(spaced->repeat_of->number, first.number);
  in.submitter_name = "王六";
  auto household = service_->register_case(in, office);
  ASSERT_TRUE(household) << household.error().message;
  EXPECT_FALSE(household->repeat_of);
  EXPECT_EQ(household->registered.state, CaseState::kRegistered);
}

// One mobile however it is written is one person (domain/contact.h); the link goes only into a
// case someone is handling, names its unit, and the repeat takes that unit.
TEST_P(Cases, RepeatsLinkByTheNumberHoweverWrittenIntoACaseBeingHandled) {
  const Actor office{.name = "operator", .staff = true};
  const std::string mobile = GetParam() == Backend::kSqlite ? "137 0000 5501" : "137 0000 5502";
  auto in = intake("urban.sanitation", "360602001003");
  in.submitter_contact = mobile;
  auto first = registered(in, office);
  for (std::string written : {"+86 " + mobile, "0086-" + mobile, "86" + mobile}) {
    std::erase(written, ' ');
    in.submitter_contact = written;
    auto again = service_->register_case(in, office);
    ASSERT_TRUE(again) << again.error().message;
    ASSERT_TRUE(again->repeat_of) << written;
    EXPECT_EQ(again->repeat_of->number, first.number) << written;
    EXPECT_EQ(again->registered.unit_id, first.unit_id);
    EXPECT_EQ(again->repeat_unit_name, unit_of(first).name);
    auto merged = service_->get(again->registered.number);
    ASSERT_TRUE(merged);
    // The person is told where it stands: the open case and the unit handling it.
    EXPECT_NE(merged->events.back().note.find(first.number), std::string::npos);
    EXPECT_NE(merged->events.back().note.find(unit_of(first).name), std::string::npos)
        << merged->events.back().note;
  }
  // Answered and waiting for the rating: nobody handles it, so the next one is a case of its own.
  first = apply(first, Command::kAccept);
  first = apply(first, Command::kAssign, {.unit_id = *first.unit_id});
  first = apply(first, Command::kResolve, {.reply = "已清运。"});
  in.submitter_contact = mobile;
  auto after_answer = service_->register_case(in, office);
  ASSERT_TRUE(after_answer) << after_answer.error().message;
  EXPECT_FALSE(after_answer->repeat_of);
  EXPECT_EQ(after_answer->registered.state, CaseState::kRegistered);
  ASSERT_TRUE(after_answer->registered.deadline_at);
  // Declined is final: not linked either.
  auto declined = apply(after_answer->registered, Command::kDecline, {.note = "不属受理范围"});
  EXPECT_EQ(declined.state, CaseState::kDeclined);
  auto after_decline = service_->register_case(in, office);
  ASSERT_TRUE(after_decline) << after_decline.error().message;
  EXPECT_FALSE(after_decline->repeat_of);
}

// The link is no oracle: staff are linked only to cases they may see, and a role that sees
// contacts masked is not linked on a contact at all.
TEST_P(Cases, RepeatsLinkOnlyWhereTheRegistrarMaySeeAndContactsAreInTheClear) {
  const std::string mobile = GetParam() == Backend::kSqlite ? "137 0000 5511" : "137 0000 5512";
  auto in = intake("urban.sanitation", "360602002001");
  in.submitter_contact = mobile;
  const Actor office{.name = "operator", .staff = true};
  auto first = registered(in, office);
  ASSERT_TRUE(first.unit_id);

  domain::Principal grid{.role = domain::Role::kGridWorker, .id = 1, .username = "grid"};
  grid.scope_code = "360602002";
  auto masked = service_->register_case(in, Actor::of(grid, {}));
  ASSERT_TRUE(masked) << masked.error().message;
  EXPECT_FALSE(masked->repeat_of);
  EXPECT_EQ(masked->registered.state, CaseState::kRegistered);
  // (Declined, so that it is no candidate for the registrations below.)
  apply(masked->registered, Command::kDecline, {.note = "重复"});

  // An operator of the unit the open case accuses must not learn of it (Art. 30).
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    auto r = sql.exec("UPDATE cases SET accused_unit_id = $1 WHERE number = $2",
                      {*first.unit_id, first.number});
    if (!r) return r.error();
    return {};
  }));
  domain::Principal accused{.role = domain::Role::kOperator, .id = 2, .username = "accused.op"};
  accused.scope_code = "3606";
  accused.unit_id = *first.unit_id;
  auto hidden = service_->register_case(in, Actor::of(accused, {}));
  ASSERT_TRUE(hidden) << hidden.error().message;
  EXPECT_FALSE(hidden->repeat_of);
  apply(hidden->registered, Command::kDecline, {.note = "重复"});
  // An operator who may see it is linked.
  domain::Principal county{.role = domain::Role::kOperator, .id = 3, .username = "county.op"};
  county.scope_code = "360602";
  auto linked = service_->register_case(in, Actor::of(county, {}));
  ASSERT_TRUE(linked) << linked.error().message;
  ASSERT_TRUE(linked->repeat_of);
  EXPECT_EQ(linked->repeat_of->number, first.number);
}

// A repeat's person is seen in the clear by the staff of the unit that answers the matter now,
// wherever the case it was merged into has gone since, and masked for the unit it left.
TEST_P(Cases, ARepeatsPersonIsSeenByTheUnitAnsweringTheMatterNow) {
  const Actor office{.name = "operator", .staff = true};
  auto in = intake("urban.sanitation", "360602001001");
  auto first = registered(in, office);
  auto again = service_->register_case(in, office);
  ASSERT_TRUE(again && again->repeat_of) << "linked as a repeat";
  const std::string repeat = again->registered.number;
  const std::int64_t before = *first.unit_id;
  first = apply(first, Command::kAccept);
  const auto chain = db_->read_value(
      [](store::Sql& sql) { return store::catalogue::units_on_chain(sql, "360602001001"); });
  ASSERT_TRUE(chain);
  auto gov = std::find_if(chain->begin(), chain->end(), [&](const domain::Unit& u) {
    return u.id != before && u.kind == domain::UnitKind::kTownshipGovernment;
  });
  ASSERT_NE(gov, chain->end());
  first = apply(first, Command::kAssign, {.unit_id = gov->id});
  auto read_as = [&](std::int64_t unit) {
    auto r = service_->read(
        repeat, Actor::of(staff(domain::Role::kHandler, "360602", unit), {.purpose = "办理"}));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->c.submitter_name : std::string();
  };
  EXPECT_EQ(read_as(gov->id), in.submitter_name) << "the unit answering it now";
  EXPECT_NE(read_as(before), in.submitter_name) << "the unit it left";
}

// 并单 by the office: the same matter only, into a case being handled; the repeat takes the
// target's unit and the target's history shows it.
TEST_P(Cases, MergeTakesTheTargetsUnitAndOnlyTheSameMatter) {
  const Actor office{.name = "operator", .staff = true};
  auto target = registered(intake("urban.sanitation", "360602001001"), office);
  target = apply(target, Command::kAccept);
  const auto township = db_->read_value(
      [](store::Sql& sql) { return store::catalogue::units_on_chain(sql, "360602001001"); });
  ASSERT_TRUE(township);
  auto gov = std::find_if(township->begin(), township->end(), [](const domain::Unit& u) {
    return u.jurisdiction_code == "360602001" && u.kind == domain::UnitKind::kTownshipGovernment;
  });
  ASSERT_NE(gov, township->end());
  target = apply(target, Command::kAssign, {.unit_id = gov->id});
  auto repeat = registered(intake("urban.sanitation", "360602001002"), office);
  ASSERT_NE(repeat.unit_id, target.unit_id);

  auto refused = [&](const domain::Case& c, const domain::Case& into) {
    auto r =
        service_->apply(c.number, Command::kMerge, {.target_case = into.number}, c.version, office);
    EXPECT_FALSE(r) << c.number << " into " << into.number;
    return r ? Error::internal("merged") : r.error();
  };
  auto other_category = registered(intake("urban.road", "360602001001"), office);
  EXPECT_EQ(refused(other_category, target).code, ErrorCode::kInvalidArgument);
  auto other_county = registered(intake("urban.sanitation", "360603001001"), office);
  const Error county = refused(other_county, target);
  EXPECT_EQ(county.code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(county.message_zh.empty());
  auto petition_in = intake("urban.sanitation", "360602001001");
  petition_in.kind = domain::CaseKind::kPetition;
  auto petition = registered(petition_in, office);
  EXPECT_EQ(refused(petition, target).code, ErrorCode::kInvalidArgument);
  auto closed = registered(intake("urban.sanitation", "360602001001"), office);
  closed = apply(closed, Command::kAccept);
  closed = apply(closed, Command::kAssign, {.unit_id = *closed.unit_id});
  closed = apply(closed, Command::kResolve, {.reply = "已处理。"});
  const Error answered = refused(repeat, closed);
  EXPECT_EQ(answered.code, ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(answered.message_zh.empty());

  auto merged =
      service_->apply(repeat.number, Command::kMerge,
                      {.note = "同一处", .target_case = target.number}, repeat.version, office);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->state, CaseState::kMerged);
  EXPECT_EQ(merged->merged_into, target.number);
  EXPECT_EQ(merged->unit_id, gov->id);
  auto seen = service_->get(target.number);
  ASSERT_TRUE(seen);
  const domain::CaseEvent& e = seen->events.back();
  EXPECT_EQ(e.command, "repeat");
  EXPECT_NE(e.note.find(repeat.number), std::string::npos) << e.note;
  EXPECT_FALSE(e.is_public);
  EXPECT_EQ(seen->c.version, target.version) << "the target's own state is untouched";
}

// Dispatch stays on the tree above the case's place; a transfer may leave it.
TEST_P(Cases, DispatchStaysOnThePlacesChain) {
  auto c = registered(intake("env.noise", "360602001001"));
  c = apply(c, Command::kAccept);
  auto elsewhere = db_->read_value([](store::Sql& sql) {
    return store::catalogue::units_on_chain(sql, "360681001001");  // 贵溪市, another county
  });
  ASSERT_TRUE(elsewhere);
  ASSERT_FALSE(elsewhere->empty());
  const auto& foreign = elsewhere->back();  // the village committee there
  ASSERT_EQ(foreign.jurisdiction_code, "360681001001");
  auto wrong = service_->apply(c.number, Command::kAssign, {.unit_id = foreign.id}, c.version, {});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  auto moved = apply(c, Command::kTransfer, {.note = "属贵溪市管辖", .unit_id = foreign.id});
  EXPECT_EQ(moved.state, CaseState::kRegistered);
  EXPECT_EQ(*moved.unit_id, foreign.id);
}

TEST_P(Cases, TransfersGoOnlyToCompetentUnits) {
  auto c = registered(intake("env.noise", "360602001001"));
  c = apply(c, Command::kAccept);
  auto chain = db_->read_value(
      [](store::Sql& sql) { return store::catalogue::units_on_chain(sql, "360681001001"); });
  ASSERT_TRUE(chain);
  auto find = [&](std::string_view department) {
    auto it = std::find_if(chain->begin(), chain->end(),
                           [&](const domain::Unit& u) { return u.department == department; });
    EXPECT_NE(it, chain->end()) << department;
    return it == chain->end() ? domain::Unit{} : *it;
  };
  // 人社局 handles labour matters, not noise.
  auto wrong = service_->apply(c.number, Command::kTransfer,
                               {.note = "转人社局", .unit_id = find("人社局").id}, c.version, {});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(wrong.error().message.find("does not handle"), std::string::npos)
      << wrong.error().message;
  // A township government takes any matter of its place.
  auto township = std::find_if(chain->begin(), chain->end(), [](const domain::Unit& u) {
    return u.kind == domain::UnitKind::kTownshipGovernment;
  });
  ASSERT_NE(township, chain->end());
  auto moved = apply(c, Command::kTransfer, {.note = "属贵溪市管辖", .unit_id = township->id});
  EXPECT_EQ(*moved.unit_id, township->id);
}

TEST_P(Cases, EscalationMovesOneLevelUpTheChain) {
  auto c = registered(intake("urban.sanitation", "360602001001"));
  ASSERT_EQ(unit_of(c).kind, domain::UnitKind::kVillageCommittee);
  c = apply(c, Command::kEscalate, {.note = "村委会无力解决"});
  auto township = unit_of(c);
  EXPECT_EQ(township.kind, domain::UnitKind::kTownshipGovernment);
  EXPECT_EQ(township.jurisdiction_code, "360602001");
  EXPECT_EQ(c.state, CaseState::kRegistered);
}

TEST_P(Cases, TrackingShowsNoPersonalData) {
  auto c = registered(intake("env.noise", "360602001001"));
  c = apply(c, Command::kAccept);
  c = apply(c, Command::kAssign, {.unit_id = *c.unit_id});
  c = apply(c, Command::kReturn, {.note = "内部退单理由"});
  auto lower = c.tracking_code;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto view = service_->track(lower);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->number, c.number);
  EXPECT_EQ(view->state, CaseState::kReturned);
  EXPECT_FALSE(view->unit_name.empty());
  for (const auto& e : view->events) {
    EXPECT_TRUE(e.actor.empty());
    EXPECT_NE(e.command, "return") << "internal events stay internal";
  }
  auto unknown = service_->track("0000-0000-0000");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto malformed = service_->track("<script>");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kNotFound);
}

// The durable scheduler: a warning at 80% of the time, a breach at the deadline, and on a
// breached handling deadline the case moves one level up, each once.
TEST_P(Cases, DeadlinesWarnThenBreachAndEscalate) {
  // Drain whatever earlier tests left due, so that counts below are this case's alone.
  clock_.set(cst("2027-06-01", 0));
  auto drained = service_->run_due_timers();
  ASSERT_TRUE(drained) << drained.error().message;
  ASSERT_FALSE(drained->capped);
  clock_.set(cst("2027-06-01", 8));
  auto c = registered(intake("urban.drainage", "360602001001"));  // 24 hours, township
  const auto township = unit_of(c);
  ASSERT_EQ(township.kind, domain::UnitKind::kTownshipGovernment);
  auto events_of = [&] {
    auto d = service_->get(c.number);
    EXPECT_TRUE(d);
    std::vector<std::string> out;
    for (const auto& e : d->events) out.push_back(e.command);
    return out;
  };
  clock_.advance(std::chrono::hours(19));  // 79% of the time
  EXPECT_EQ(service_->run_due_timers().value().events, 0);
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(service_->run_due_timers().value().events, 1);
  EXPECT_EQ(service_->run_due_timers().value().events, 0) << "a warning is raised once";
  clock_.advance(std::chrono::hours(5));  // past the deadline
  EXPECT_EQ(service_->run_due_timers().value().events, 2);
  EXPECT_EQ(service_->run_due_timers().value().events, 0) << "a breach is raised once";
  EXPECT_EQ(events_of(), (std::vector<std::string>{"register", "warn", "breach", "escalate"}));
  auto after = service_->get(c.number);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->c.breached);
  EXPECT_NE(*after->c.unit_id, township.id);
  EXPECT_EQ(domain::level_of(unit_of(after->c)), domain::Level::kCounty);
  // The warning is internal; the breach and the escalation are on the public timeline.
  auto view = service_->track(after->c.tracking_code);
  ASSERT_TRUE(view);
  std::vector<std::string> public_events;
  for (const auto& e : view->events) public_events.push_back(e.command);
  EXPECT_EQ(public_events, (std::vector<std::string>{"register", "breach", "escalate"}));
}

// Access rules in the use cases (TESTS.md S6, S8, A1): what a principal may see and do.
std::vector<store::audit::Entry> audit_of(store::Database& db, const std::string& number) {
  auto found = db.read_value([&](store::Sql& sql) {
    return store::audit::find(sql, {.object_type = "case", .object_id = number});
  });
  EXPECT_TRUE(found) << found.error().message;
  return found ? *found : std::vector<store::audit::Entry>{};
}

TEST_P(Cases, ReadsOutsideTheSubtreeAreNotFoundAndLogged) {
  auto c = registered(intake("urban.sanitation", "360602001001"));  // 月湖区
  auto outsider = Actor::of(staff(domain::Role::kLeader, "360603"), {.request_id = "r1"});
  auto r = service_->read(c.number, outsider);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  auto entries = audit_of(*db_, c.number);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front().action, "case.read");
  EXPECT_EQ(entries.front().outcome, "denied");
  EXPECT_EQ(entries.front().actor, "t.leader");
}

TEST_P(Cases, ReadsAreMaskedByRoleAndAuditedWithoutPersonalData) {
  auto c = registered(intake("urban.sanitation", "360602001001"));
  auto leader = service_->read(
      c.number, Actor::of(staff(domain::Role::kLeader, "3606"), {.purpose = "督办"}));
  ASSERT_TRUE(leader) << leader.error().message;
  EXPECT_EQ(leader->c.submitter_name, "王*");
  EXPECT_EQ(leader->c.submitter_contact.find(c.submitter_contact), std::string::npos);
  EXPECT_EQ(leader->c.submitter_contact.substr(0, 7), "139****");
  EXPECT_TRUE(leader->c.tracking_code.empty());
  auto op = service_->read(c.number, Actor::of(staff(domain::Role::kOperator, "3606"), {}));
  ASSERT_TRUE(op);
  EXPECT_EQ(op->c.submitter_name, "王五");
  EXPECT_EQ(op->c.submitter_contact, c.submitter_contact);
  EXPECT_TRUE(op->c.tracking_code.empty());

  auto entries = audit_of(*db_, c.number);
  ASSERT_GE(entries.size(), 3u);  // register, the leader's read, the operator's read
  EXPECT_EQ(entries[1].action, "case.read");
  EXPECT_EQ(entries[1].purpose, "督办");
  for (const auto& e : entries) {
    for (const std::string& field : {e.actor, e.action, e.object_id, e.purpose, e.remote}) {
      EXPECT_EQ(field.find("王五"), std::string::npos);
      EXPECT_EQ(field.find(c.submitter_contact), std::string::npos);
    }
  }
}

TEST_P(Cases, RolesAndUnitsLimitCommands) {
  auto c = registered(intake("urban.sanitation", "360602001001"));
  ASSERT_TRUE(c.unit_id);
  auto leader = Actor::of(staff(domain::Role::kLeader, "3606"), {});
  auto r = service_->apply(c.number, Command::kAccept, {}, c.version, leader);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  auto other_unit = Actor::of(staff(domain::Role::kHandler, "3606", *c.unit_id + 1), {});
  auto accepted = service_->apply(c.number, Command::kAccept, {}, c.version,
                                  Actor::of(staff(domain::Role::kOperator, "3606"), {}));
  ASSERT_TRUE(accepted) << accepted.error().message;
  // Whatever the workflow allows next, a handler of another unit may not act on it.
  auto start = service_->apply(c.number, Command::kStart, {}, accepted->version, other_unit);
  ASSERT_FALSE(start);
  EXPECT_TRUE(start.error().code == ErrorCode::kPermissionDenied ||
              start.error().code == ErrorCode::kFailedPrecondition)
      << start.error().message;
  // Out of scope: not found, whatever the command, and the version is not revealed.
  auto far = Actor::of(staff(domain::Role::kOperator, "360681"), {});
  auto hidden = service_->apply(c.number, Command::kClose, {}, 999, far);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
}

TEST_P(Cases, ListsHoldOnlyTheSubtree) {
  auto inside = registered(intake("urban.sanitation", "360603001001"));
  auto outside = registered(intake("urban.sanitation", "360602001001"));
  auto page = service_->list(staff(domain::Role::kLeader, "360603"), {.limit = 200});
  ASSERT_TRUE(page) << page.error().message;
  bool found_inside = false;
  for (const auto& item : *page) {
    EXPECT_TRUE(item.place_code.starts_with("360603")) << item.place_code;
    EXPECT_NE(item.number, outside.number);
    found_inside = found_inside || item.number == inside.number;
  }
  EXPECT_TRUE(found_inside);
  auto admin = service_->list(staff(domain::Role::kAdmin, "3606"), {});
  ASSERT_FALSE(admin);
  EXPECT_EQ(admin.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(Cases, ListFiltersNarrowButNeverWiden) {
  auto village = registered(intake("urban.sanitation", "360603001001"));
  clock_.advance(std::chrono::hours(1));
  auto later = registered(intake("urban.sanitation", "360603001001"));
  auto leader = staff(domain::Role::kLeader, "360603");
  auto by_place = service_->list(leader, {.limit = 200}, "360603001001");
  ASSERT_TRUE(by_place);
  for (const auto& item : *by_place) EXPECT_EQ(item.place_code, "360603001001");
  // A place outside the scope gives nothing, not the foreign cases.
  auto outside = service_->list(leader, {.limit = 200}, "360602");
  ASSERT_TRUE(outside);
  EXPECT_TRUE(outside->empty());
  // A place above the scope is cut down to the scope.
  auto above = service_->list(leader, {.limit = 200}, "3606");
  ASSERT_TRUE(above);
  for (const auto& item : *above) EXPECT_TRUE(item.place_code.starts_with("360603"));
  // The time window: only the later case was entered after the first one.
  auto window = service_->list(leader, {.created_from = later.created_at,
                                        .created_to = later.created_at + std::chrono::seconds(1),
                                        .limit = 200});
  ASSERT_TRUE(window);
  ASSERT_EQ(window->size(), 1u);
  EXPECT_EQ(window->front().number, later.number);
  // Overdue: nothing yet; both once their 7-day limit has passed.
  auto none = service_->list(leader, {.overdue_at = clock_.now(), .limit = 200}, "360603001001");
  ASSERT_TRUE(none);
  for (const auto& item : *none) EXPECT_NE(item.number, village.number);
  auto overdue = service_->list(
      leader, {.overdue_at = clock_.now() + std::chrono::days(30), .limit = 200}, "360603001001");
  ASSERT_TRUE(overdue);
  int found = 0;
  for (const auto& item : *overdue)
    found += item.number == village.number || item.number == later.number;
  EXPECT_EQ(found, 2);
}

// A state's newest-first list: only that state, newest first, for a wide scope and a narrow one;
// on SQLite, each through the index meant for it (migration 0016): a wide scope walks the
// state's own order, a narrow one finds its cases by place.
TEST_P(Cases, AStateListIsNewestFirstThroughItsIndex) {
  auto older = registered(intake("urban.sanitation", "360603001001"));
  clock_.advance(std::chrono::hours(1));
  auto newer = registered(intake("urban.sanitation", "360603001001"));
  clock_.advance(std::chrono::hours(1));
  auto other = apply(registered(intake("urban.sanitation", "360603001001")), Command::kDecline,
                     {.note = "不属于受理范围"});
  ASSERT_NE(other.state, older.state);
  for (const char* place : {"3606", "360603001001"}) {
    auto page =
        service_->list(staff(domain::Role::kLeader, "3606"),
                       {.state = std::string(domain::to_string(older.state)), .limit = 200}, place);
    ASSERT_TRUE(page) << page.error().message;
    std::vector<std::string> numbers;
    for (const auto& item : *page) {
      EXPECT_EQ(item.state, older.state) << item.number;
      numbers.push_back(item.number);
    }
    auto at_newer = std::find(numbers.begin(), numbers.end(), newer.number);
    auto at_older = std::find(numbers.begin(), numbers.end(), older.number);
    ASSERT_NE(at_newer, numbers.end()) << place;
    EXPECT_LT(at_newer, at_older) << place;
    EXPECT_EQ(std::find(numbers.begin(), numbers.end(), other.number), numbers.end()) << place;
  }
  if (GetParam() != Backend::kSqlite) return;
  auto plan = [&](const char* first, const char* last,
                  store::cases::ListOrder order = store::cases::ListOrder::kNewest) {
    store::cases::ListQuery q;
    q.place_first = first;
    q.place_last = last;
    q.state = "registered";
    q.order = order;
    store::cases::ListFilter f = store::cases::list_filter(q);
    const bool newest = order == store::cases::ListOrder::kNewest;
    auto rows = db_->read_value([&](store::Sql& sql) {
      return sql.query("EXPLAIN QUERY PLAN SELECT c.number FROM cases c WHERE " + f.where +
                           (newest ? " ORDER BY c.created_at DESC, c.number DESC LIMIT 20"
                                   : " AND c.deadline_at IS NOT NULL"
                                     " ORDER BY c.deadline_at, c.number LIMIT 20"),
                       store::Params(std::move(f.params)));
    });
    std::string detail;
    if (rows) {
      for (const auto& r : *rows) detail += r.text(3) + "\n";
    }
    return detail;
  };
  EXPECT_NE(plan("3606", "3607").find("cases_state_created"), std::string::npos)
      << plan("3606", "3607");
  EXPECT_NE(plan("360603001", "360603002").find("cases_place"), std::string::npos)
      << plan("360603001", "360603002");
  const auto by_deadline = plan("3606", "3607", store::cases::ListOrder::kDeadline);
  EXPECT_NE(by_deadline.find("cases_running_deadline"), std::string::npos) << by_deadline;
}

// Only a command that answers (办结, 复查/复核答复) takes a reply: any other one that carries a
// reply is refused and changes nothing, so that nobody (a resident rating the answer least of
// all) rewrites the official answer or restarts its review window.
TEST_P(Cases, OnlyAnAnsweringCommandTakesAReply) {
  auto c = registered(intake("env.noise", "360602001001"));
  auto accept = service_->apply(c.number, Command::kAccept, {.reply = "x"}, c.version, {});
  ASSERT_FALSE(accept);
  EXPECT_EQ(accept.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(accept.error().message, "reply: the command accept takes no reply");
  EXPECT_NE(accept.error().message_zh.find("答复"), std::string::npos);
  c = apply(c, Command::kAccept);
  c = apply(c, Command::kAssign, {.unit_id = *c.unit_id});
  auto ideographic =
      service_->apply(c.number, Command::kResolve, {.reply = "\u3000\u3000"}, c.version, {});
  ASSERT_FALSE(ideographic);
  EXPECT_EQ(ideographic.error().message, "reply: a written reply is required");
  const std::string answer = "已责令施工方夜间停工。";
  c = apply(c, Command::kResolve, {.reply = answer});
  ASSERT_TRUE(c.replied_at);
  const Instant replied_at = *c.replied_at;

  clock_.advance(std::chrono::hours(26));
  const Actor resident = Actor::by_tracking_code({});
  auto rewrite = service_->apply(c.number, Command::kFollowUp,
                                 {.reply = "答复已改写", .rating = domain::Rating::kSatisfied},
                                 c.version, resident);
  ASSERT_FALSE(rewrite);
  EXPECT_EQ(rewrite.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rewrite.error().message, "reply: the command follow_up takes no reply");
  auto after = service_->get(c.number);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->c.version, c.version);
  EXPECT_EQ(after->c.reply, answer);
  EXPECT_EQ(after->c.rating, domain::Rating::kNone);

  auto rated = service_->apply(c.number, Command::kFollowUp, {.rating = domain::Rating::kSatisfied},
                               c.version, resident);
  ASSERT_TRUE(rated) << rated.error().message;
  EXPECT_EQ(rated->reply, answer);
  ASSERT_TRUE(rated->replied_at);
  EXPECT_EQ(*rated->replied_at, replied_at) << "the review window runs from the answer";
}

// Notes are public on the tracking page and replies are the official answer: no control
// characters or bidi overrides, at most 2,000 and 8,000 characters; new lines are fine.
TEST_P(Cases, NotesAndRepliesFollowTheTextRules) {
  auto c = registered(intake("env.noise", "360602001001"));
  struct Bad {
    Command command;
    CommandInput in;
    const char* message;
  };
  c = apply(c, Command::kAccept);
  c = apply(c, Command::kAssign, {.unit_id = *c.unit_id});
  const std::string reply_8001(8001, 'r');
  const std::vector<Bad> bad = {
      {Command::kReturn, {.note = "响铃\a字符"}, "note: contains a control character"},
      {Command::kReturn, {.note = "\u202e反向文字"}, "note: contains a control character"},
      {Command::kReturn, {.note = "C1 \xC2\x85 控制符"}, "note: contains a control character"},
      {Command::kReturn, {.note = std::string(2001, 'n')}, "note: is longer than 2000 characters"},
      {Command::kResolve, {.reply = "已处理\u202d"}, "reply: contains a control character"},
      {Command::kResolve, {.reply = "\x1b[31m已处理"}, "reply: contains a control character"},
      {Command::kResolve, {.reply = reply_8001}, "reply: is longer than 8000 characters"},
  };
  for (const auto& b : bad) {
    auto r = service_->apply(c.number, b.command, b.in, c.version, {});
    ASSERT_FALSE(r) << b.message;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << b.message;
    EXPECT_EQ(r.error().message, b.message);
    EXPECT_FALSE(r.error().message_zh.empty()) << b.message;
  }
  auto unchanged = service_->get(c.number);
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(unchanged->c.version, c.version);
  // At the limits, with new lines and a tab: taken as typed.
  std::string note(2000, 'n');
  note[10] = '\n';
  note[20] = '\t';
  c = apply(c, Command::kEscalate, {.note = note});
  std::string reply(8000, 'r');
  reply.replace(0, 2, "\r\n");
  c = apply(c, Command::kResolve, {.reply = reply});
  EXPECT_EQ(c.state, CaseState::kResolved);
  EXPECT_TRUE(c.reply == reply) << "the reply as typed";
  auto d = service_->get(c.number);
  ASSERT_TRUE(d);
  ASSERT_GE(d->events.size(), 2u);
  EXPECT_EQ(d->events[d->events.size() - 2].command, "escalate");
  EXPECT_TRUE(d->events[d->events.size() - 2].note == note) << "the note as typed";
}

// A case outside the deployment would have no unit and no staff: refused. Staff register only
// inside their own jurisdiction; residents submit anywhere inside the deployment.
TEST_P(Cases, RegistrationStaysInsideTheDeploymentAndTheRegistrarsScope) {
  auto foreign = db_->read_value([](store::Sql& sql) {
    return sql.query_one(
        "SELECT code FROM jurisdiction WHERE level = 5 AND code NOT LIKE '3606%' ORDER BY code "
        "LIMIT 1",
        {});
  });
  ASSERT_TRUE(foreign) << foreign.error().message;
  const std::string outside = foreign->text(0);
  for (const Actor& who : {Actor{}, Actor{.name = "operator", .staff = true},
                           Actor::of(staff(domain::Role::kOperator, "36"), {})}) {
    auto r = service_->register_case(intake("urban.sanitation", outside.c_str()), who);
    ASSERT_FALSE(r) << who.name << " registered at " << outside;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "place: " + outside + " lies outside this deployment (3606)");
    EXPECT_NE(r.error().message_zh.find("服务范围"), std::string::npos) << r.error().message_zh;
  }

  const Actor yujiang = Actor::of(staff(domain::Role::kOperator, "360603"), {});
  auto elsewhere = service_->register_case(intake("urban.sanitation", "360602001001"), yujiang);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(elsewhere.error().message.find("outside your jurisdiction (360603)"), std::string::npos)
      << elsewhere.error().message;
  EXPECT_NE(elsewhere.error().message_zh.find("辖区"), std::string::npos);
  EXPECT_TRUE(service_->register_case(intake("urban.sanitation", "360603001001"), yujiang));
  // The resident's own channels stay open anywhere in the deployment (a signed-in resident's
  // too: AccessApi.StaffRegisterOnlyInsideTheirJurisdiction).
  auto form = service_->register_case(intake("urban.sanitation", "360602001001"), {});
  EXPECT_TRUE(form) << form.error().message;
}

// A repeat merged into another case is tracked where the matter stands: the final case's
// state, unit, deadline and reply (following a chain of merges), and both public timelines.
TEST_P(Cases, TrackingARepeatShowsTheCaseThatCarriesIt) {
  auto open = registered(intake("urban.sanitation", "360602001001"));
  clock_.advance(std::chrono::minutes(5));
  // Registered from a call: its contact, as staff recorded it, tells the same person (below).
  const Actor operator_on_call{.name = "operator", .staff = true};
  auto called = intake("urban.sanitation", "360602001001");
  called.channel = domain::Channel::kPhone;
  auto repeat = registered(called, operator_on_call);
  clock_.advance(std::chrono::minutes(5));
  repeat = apply(repeat, Command::kMerge, {.note = "同一垃圾堆", .target_case = open.number});
  ASSERT_EQ(repeat.state, CaseState::kMerged);
  clock_.advance(std::chrono::minutes(5));
  open = apply(open, Command::kEscalate, {.note = "村委会无力解决"});
  const std::string township = unit_of(open).name;

  auto view = service_->track(repeat.tracking_code);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->number, repeat.number);
  EXPECT_EQ(view->merged_into, open.number);
  EXPECT_EQ(view->handled_in, open.number);
  EXPECT_EQ(view->state, CaseState::kRegistered);
  EXPECT_EQ(view->unit_name, township);
  EXPECT_EQ(view->deadline_at, open.deadline_at);
  std::vector<std::string> timeline;
  for (std::size_t i = 0; i < view->events.size(); ++i) {
    timeline.push_back(view->events[i].command);
    if (i > 0) {
      EXPECT_LE(view->events[i - 1].at, view->events[i].at);
    }
    EXPECT_TRUE(view->events[i].actor.empty());
    EXPECT_FALSE(view->events[i].unit_id);
  }
  // Both registrations, the merge (the repeat's), the escalation (the open case's).
  EXPECT_EQ(timeline, (std::vector<std::string>{"register", "register", "merge", "escalate"}));
  // The merge says where the case went, without the staff's remark ("同一垃圾堆").
  EXPECT_EQ(view->events[2].note, "并入 " + open.number);
  auto staff_view = service_->get(repeat.number);
  ASSERT_TRUE(staff_view);
  EXPECT_NE(staff_view->events.back().note.find("同一垃圾堆"), std::string::npos);
  auto own = service_->track(open.tracking_code);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->handled_in, open.number);
  EXPECT_TRUE(own->merged_into.empty());

  // The open case is merged in turn, then answered: the repeat's code follows the chain. The
  // case at the end was reported by the repeat's resident too, so its reply is theirs to read
  // (another person's stays hidden: Tracking.ARepeatOfAnotherPersonDoesNotShowTheirAnswer).
  auto same_person = intake("urban.sanitation", "360602001001");
  same_person.submitter_contact = repeat.submitter_contact;
  same_person.channel = domain::Channel::kPhone;
  auto last = registered(same_person, operator_on_call);
  open = apply(open, Command::kMerge, {.note = "并入同一事项", .target_case = last.number});
  last = apply(last, Command::kAccept);
  last = apply(last, Command::kAssign, {.unit_id = *last.unit_id});
  last = apply(last, Command::kResolve, {.reply = "已清运。"});
  view = service_->track(repeat.tracking_code);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->merged_into, open.number);
  EXPECT_EQ(view->handled_in, last.number);
  EXPECT_EQ(view->state, CaseState::kResolved);
  EXPECT_TRUE(view->reply_shared);
  EXPECT_EQ(view->reply, "已清运。");
  EXPECT_FALSE(view->deadline_at);
}

// A resident's escalation at the top of the chain is recorded for that unit's supervision and
// the case stays; staff, who can see where it is, are told why nothing moved.
TEST_P(Cases, AResidentsEscalationAtTheTopIsRecorded) {
  auto c = registered(intake("urban.sanitation", "360602001001"));
  for (int level = 0; level < 8 && domain::level_of(unit_of(c)) != domain::Level::kCity; ++level) {
    c = apply(c, Command::kEscalate, {.note = "提级"});
  }
  const auto top = unit_of(c);
  ASSERT_EQ(domain::level_of(top), domain::Level::kCity) << top.name;
  for (const Actor& who : {Actor{.name = "handler", .staff = true},
                           Actor::of(staff(domain::Role::kLeader, "3606"), {}),
                           Actor::of(staff(domain::Role::kOperator, "3606"), {})}) {
    auto r = service_->apply(c.number, Command::kEscalate, {.note = "再上一级"}, c.version, who);
    ASSERT_FALSE(r) << who.name;
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(r.error().message.find("highest unit"), std::string::npos);
    EXPECT_NE(r.error().message_zh.find("最高层级"), std::string::npos) << r.error().message_zh;
  }
  auto kept = service_->apply(c.number, Command::kEscalate, {.note = "市里也不处理"}, c.version,
                              Actor::by_tracking_code({}));
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->unit_id, top.id);
  EXPECT_EQ(kept->state, c.state);
  EXPECT_EQ(kept->version, c.version + 1);
  auto view = service_->track(c.tracking_code);
  ASSERT_TRUE(view);
  ASSERT_FALSE(view->events.empty());
  const auto& e = view->events.back();
  EXPECT_EQ(e.command, "escalate");
  EXPECT_EQ(e.note, domain::notes::escalation_at_top(top.name, "市里也不处理"));
}

// A backlog (the server was down, or thousands of clocks end at the same midnight) is drained
// by one step of the scheduler, in transactions of CaseService::kTimerBatch cases, beyond the
// 500 cases one step used to handle; a step stops at its cap, and the next one goes on. Kept
// last: it leaves hundreds of newer cases in the database the tests share.
TEST_P(Cases, OneSchedulerStepDrainsABacklog) {
  clock_.set(cst("2028-03-01", 0));
  auto drained = service_->run_due_timers();
  ASSERT_TRUE(drained) << drained.error().message;
  ASSERT_FALSE(drained->capped);
  clock_.set(cst("2028-03-01", 8));
  constexpr std::size_t kBacklog = 505;  // more than the 500 one step handled before
  std::vector<std::string> numbers;
  while (numbers.size() < kBacklog) {  // registered 130 per transaction, to keep the test short
    auto r = db_->write_value([&](store::Sql& sql) -> Result<void> {
      for (int i = 0; i < 130 && numbers.size() < kBacklog; ++i) {
        auto prepared = service_->prepare(intake("urban.drainage", "360602001001"), {});  // 24 h
        if (!prepared) return prepared.error();
        auto c = service_->register_in(sql, *prepared, {});
        if (!c) return c.error();
        numbers.push_back(c->registered.number);
      }
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  }
  // Every warning is due (at 80%, 19.2 h): a step capped at 150 cases stops there …
  clock_.advance(std::chrono::hours(20));
  auto capped = service_->run_due_timers(150);
  ASSERT_TRUE(capped) << capped.error().message;
  EXPECT_TRUE(capped->capped);
  EXPECT_EQ(capped->cases, 150);
  EXPECT_EQ(capped->events, 150);
  // … and an uncapped step handles all the rest at once.
  auto rest = service_->run_due_timers();
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_FALSE(rest->capped);
  EXPECT_EQ(rest->cases, static_cast<int>(kBacklog) - 150);
  EXPECT_EQ(rest->events, static_cast<int>(kBacklog) - 150);
  EXPECT_EQ(service_->run_due_timers().value().cases, 0);
  // The server was down past every deadline: one step breaches and escalates them all.
  clock_.advance(std::chrono::hours(30));
  auto breaches = service_->run_due_timers();
  ASSERT_TRUE(breaches) << breaches.error().message;
  EXPECT_FALSE(breaches->capped);
  EXPECT_EQ(breaches->cases, static_cast<int>(kBacklog));
  EXPECT_EQ(breaches->events, 2 * static_cast<int>(kBacklog));  // breach and escalate
  for (const std::string& number : {numbers.front(), numbers.back()}) {
    auto d = service_->get(number);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->c.breached);
    std::vector<std::string> commands;
    for (const auto& e : d->events) commands.push_back(e.command);
    EXPECT_EQ(commands, (std::vector<std::string>{"register", "warn", "breach", "escalate"}));
  }
}

TEST_P(Cases, ProvisionalDeadlinesLeaveOutLimitsInHours) {
  // Late on the last day of a year: a 24-hour clock and a 7-day one both end in the next.
  clock_.set(cst("2029-12-31", 8));
  auto before = service_->deadlines_from_year(2030);
  ASSERT_TRUE(before) << before.error().message;
  auto hours = registered(intake("urban.drainage", "360602001001"));  // 24 hours
  ASSERT_TRUE(hours.deadline_at);
  EXPECT_EQ(*hours.deadline_at, cst("2030-01-01", 8));
  EXPECT_EQ(service_->deadlines_from_year(2030).value(), *before)
      << "a limit in hours counts no calendar days: it is not provisional";
  auto days = registered(intake("urban.sanitation", "360602001001"));  // 7 calendar days
  ASSERT_TRUE(days.deadline_at);
  EXPECT_GT(*days.deadline_at, cst("2030-01-01", 0));
  EXPECT_EQ(service_->deadlines_from_year(2030).value(), *before + 1);
}

// TESTS.md C2 and C7: on PostgreSQL with several writers (database.writers), writes to one case
// run in parallel transactions. A race between them is the store's to settle, by running the
// loser again — never an error for a client who did nothing wrong. Repeats merged into one
// case at once all land, each with its event on the target; concurrent accepts of one case
// without a version: exactly one succeeds, the others are told the case is accepted already.
TEST_P(Cases, ParallelWritersSettleTheirRacesThemselves) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite has one writer";
  store::DatabaseOptions options;
  options.writers = 8;
  auto parallel = store::open_database(testing::demo_database_url(GetParam()), options);
  ASSERT_TRUE(parallel) << parallel.error().message;
  CaseService service(**parallel, clock_);
  const Actor office{.name = "operator", .staff = true};
  auto target = registered(intake("urban.sanitation", "360602001001"), office);
  target = apply(target, Command::kAccept);
  target = apply(target, Command::kAssign, {.unit_id = *target.unit_id});
  constexpr int kRepeats = 24;
  std::vector<domain::Case> repeats;
  for (int i = 0; i < kRepeats; ++i) {
    repeats.push_back(registered(intake("urban.sanitation", "360602001001"), office));
  }
  // Four cases, each accepted by 16 at once: a race is likely for at least one of them.
  std::vector<domain::Case> fresh;
  for (int i = 0; i < 4; ++i) {
    fresh.push_back(registered(intake("urban.road", "360602001001"), office));
  }

  std::vector<Result<domain::Case>> merged(kRepeats, Error::internal("not run"));
  std::vector<Result<domain::Case>> accepted(16 * fresh.size(), Error::internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kRepeats; ++i) {
    threads.emplace_back([&, i] {
      merged[i] = service.apply(repeats[i].number, Command::kMerge, {.target_case = target.number},
                                CaseService::kCurrentVersion, office);
    });
  }
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    threads.emplace_back([&, i] {
      accepted[i] = service.apply(fresh[i % fresh.size()].number, Command::kAccept, {},
                                  CaseService::kCurrentVersion, office);
    });
  }
  for (auto& t : threads) t.join();

  for (int i = 0; i < kRepeats; ++i) {
    EXPECT_TRUE(merged[i]) << repeats[i].number << ": " << merged[i].error().message;
  }
  auto seen = service_->get(target.number);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(std::count_if(seen->events.begin(), seen->events.end(),
                          [](const domain::CaseEvent& e) { return e.command == "repeat"; }),
            kRepeats);
  std::vector<int> winners(fresh.size());
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    if (accepted[i]) {
      ++winners[i % fresh.size()];
    } else {
      EXPECT_EQ(accepted[i].error().code, ErrorCode::kFailedPrecondition)
          << accepted[i].error().message;
    }
  }
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ(winners[i], 1) << fresh[i].number;
    auto after = service_->get(fresh[i].number);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_EQ(after->c.version, fresh[i].version + 1);
    EXPECT_EQ(std::count_if(after->events.begin(), after->events.end(),
                            [](const domain::CaseEvent& e) { return e.command == "accept"; }),
              1);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, Cases, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::app
