// Repeat detection at intake on both stores: the candidates in staff registration's answer
// (never in a resident's), POST /api/v1/cases/similar while the operator types, the reasons,
// scope — no case of another area or outside the caller's subtree, not even a count — the
// audit entry, and the migration's backfill of the signatures.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/access_fixture.h"
#include "store/repeat_repo.h"
#include "text/minhash.h"

namespace jiceng::testing {
namespace {

namespace json = boost::json;
using domain::Role;

class RepeatsApi : public AccessFixture {
 protected:
  // A word no other case holds, so that a test's texts resemble only each other: "rp3sqlite7".
  std::string tag() {
    std::string t = unique("rp");
    std::erase(t, '.');
    return t;
  }

  static json::object intake(const std::string& place, const std::string& description,
                             const std::string& contact) {
    return {{"category", "urban.sanitation"},
            {"place", place},
            {"description", description},
            {"name", "测试来电人"},
            {"contact", contact},
            {"channel", "phone"}};
  }

  // Registers a case (as `as`, or anonymously; residents on the web); returns the answer.
  json::value register_case(const Session* as, json::object body) {
    if (!as || as->role == Role::kResident) body["channel"] = "web";
    auto r = call(as, "POST", "/api/v1/cases", json::serialize(body));
    EXPECT_EQ(r.res.result_int(), 201u) << r.res.body();
    return body_json(r);
  }

  static std::string number_of(const json::value& v) {
    return v.is_object() ? std::string(v.at("number").as_string()) : "";
  }

  // The candidates' numbers of an answer (registration or /similar), in order.
  static std::vector<std::string> numbers(const json::value& v, std::string_view key) {
    std::vector<std::string> out;
    if (!v.is_object() || !v.as_object().contains(key)) return out;
    for (const auto& item : v.at(key).as_array()) out.emplace_back(item.at("number").as_string());
    return out;
  }

  static const json::object* candidate(const json::value& v, std::string_view key,
                                       const std::string& number) {
    if (!v.is_object() || !v.as_object().contains(key)) return nullptr;
    for (const auto& item : v.at(key).as_array()) {
      if (item.at("number").as_string() == number) return &item.as_object();
    }
    return nullptr;
  }

  static std::set<std::string> reasons(const json::object& item) {
    std::set<std::string> out;
    for (const auto& r : item.at("reasons").as_array()) out.emplace(r.as_string());
    return out;
  }

  json::value similar(const Session& s, json::object body, unsigned status = 200) {
    auto r = call(&s, "POST", "/api/v1/cases/similar", json::serialize(body));
    EXPECT_EQ(r.res.result_int(), status) << r.res.body();
    return body_json(r);
  }

  // A village of the county outside the township; "" when there is none.
  std::string village_elsewhere(std::string_view county, const std::string& township) {
    auto [first, last] = domain::scope_range(county);
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one(
          "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
          "AND substr(code, 1, 9) <> $3 ORDER BY code LIMIT 1",
          {first, last, township});
    });
    return row ? row->text(0) : "";
  }

  static bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
};

TEST_P(RepeatsApi, RegisteringANearDuplicateReturnsTheFirstCase) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  Session op = account_session("repeat.op", Role::kOperator);
  auto first = register_case(
      &op, intake(village, "村东头养猪场污水直排河道，臭味熏天，晚上无法睡觉 " + t, "13700000001"));
  const std::string a = number_of(first);
  EXPECT_FALSE(contains(numbers(first, "candidates"), a));

  auto again = register_case(
      &op, intake(village, "养猪场污水直排河道，臭味熏天，村东头晚上没法睡觉 " + t, "13700000002"));
  ASSERT_TRUE(contains(numbers(again, "candidates"), a)) << json::serialize(again);
  const json::object* c = candidate(again, "candidates", a);
  EXPECT_EQ(reasons(*c), (std::set<std::string>{"text", "place", "category"}));
  EXPECT_GT(c->at("score").as_double(), 0.6);
  EXPECT_GT(c->at("text_similarity").as_double(), 0.5);
  EXPECT_FALSE(c->contains("contact"));
  EXPECT_FALSE(c->contains("name"));
  EXPECT_EQ(numbers(again, "candidates").front(), a) << "the best first";

  // An unrelated case at the same place and category is not a repeat of it.
  auto other = register_case(&op, intake(village, "小区路灯坏了一个月 " + tag(), "13700000003"));
  EXPECT_FALSE(contains(numbers(other, "candidates"), a)) << json::serialize(other);

  // Reading the candidates is audited with the registration.
  bool audited = false;
  for (const auto& e : audit_of(a)) audited = audited || e.action == "case.similar";
  EXPECT_TRUE(audited);
}

TEST_P(RepeatsApi, ResidentsNeverSeeOtherPeoplesCases) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  Session op = account_session("repeat.first", Role::kOperator);
  const std::string a =
      number_of(register_case(&op, intake(village, "工地老板拖欠农民工工资三个月 " + t, "13700000011")));
  auto web = register_case(nullptr, intake(village, "工地老板拖欠农民工工资三个月 " + t, "13700000012"));
  EXPECT_FALSE(web.as_object().contains("candidates")) << json::serialize(web);
  Session resident = account_session("repeat.resident", Role::kResident);
  auto own = register_case(&resident, intake(village, "工地老板拖欠农民工工资三个月 " + t, "13700000013"));
  EXPECT_FALSE(own.as_object().contains("candidates")) << json::serialize(own);
  EXPECT_EQ(call(&resident, "POST", "/api/v1/cases/similar",
                 json::serialize(json::object{{"place", village}, {"description", "工资"}}))
                .res.result_int(),
            403u);
  EXPECT_EQ(call(nullptr, "POST", "/api/v1/cases/similar",
                 json::serialize(json::object{{"place", village}, {"description", "工资"}}))
                .res.result_int(),
            401u);
  Session handler =
      account_session("repeat.handler", Role::kHandler, kYujiang, unit_in(village, kYujiang));
  similar(handler, {{"place", village}, {"description", "工资"}}, 403);
  // Staff who may register still see the first case (the web submissions too).
  Session op2 = account_session("repeat.second", Role::kOperator);
  auto staff = similar(op2, {{"place", village}, {"description", "工地老板拖欠农民工工资三个月 " + t}});
  EXPECT_TRUE(contains(numbers(staff, "items"), a)) << json::serialize(staff);
}

TEST_P(RepeatsApi, SimilarWhileTypingFindsTextAndPerson) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  Session op = account_session("repeat.typing", Role::kOperator);
  const std::string a = number_of(register_case(
      &op, intake(village, "申请低保被拒，家里有残疾人，生活困难 " + t, "138 0000 0021")));

  auto typed = similar(op, {{"place", village},
                            {"category", "urban.sanitation"},
                            {"description", "家里有残疾人，申请低保被拒绝 " + t}});
  ASSERT_TRUE(contains(numbers(typed, "items"), a)) << json::serialize(typed);
  EXPECT_TRUE(reasons(*candidate(typed, "items", a)).contains("text"));

  // The same phone, however it is written, with other words: the same person.
  auto person = similar(op, {{"place", village},
                             {"category", "other.category"},
                             {"description", "路面坑洼积水"},
                             {"contact", "13800000021"}});
  ASSERT_TRUE(contains(numbers(person, "items"), a)) << json::serialize(person);
  EXPECT_EQ(reasons(*candidate(person, "items", a)), (std::set<std::string>{"person", "place"}));
  // Not for an anonymous submission: anonymity is not undone by a phone number.
  auto anonymous = similar(op, {{"place", village},
                                {"category", "other.category"},
                                {"description", "路面坑洼积水"},
                                {"contact", "13800000021"},
                                {"anonymous", true}});
  EXPECT_FALSE(contains(numbers(anonymous, "items"), a));

  // Nothing typed yet: nothing found, and no error.
  EXPECT_TRUE(numbers(similar(op, {{"place", village}}), "items").empty());
  similar(op, {{"description", "低保"}}, 400);
  similar(op, {{"place", "36"}, {"description", "低保"}}, 400);
}

TEST_P(RepeatsApi, NeverShowsCasesOutsideTheCallersScope) {
  const std::string t = tag();
  const std::string text = "山塘漏水淹了稻田，村委会不管 " + t;
  const std::string village = village_in(kYujiang);
  const std::string township = village.substr(0, 9);
  Session county = account_session("repeat.county", Role::kOperator, kYujiang);
  const std::string mine = number_of(register_case(&county, intake(village, text, "13700000031")));
  const std::string elsewhere = village_elsewhere(kYujiang, township);
  ASSERT_FALSE(elsewhere.empty());
  const std::string other_township =
      number_of(register_case(&county, intake(elsewhere, text, "13700000032")));
  Session yuehu = account_session("repeat.yuehu", Role::kOperator, kYuehu);
  const std::string other_county =
      number_of(register_case(&yuehu, intake(village_in(kYuehu), text, "13700000033")));

  auto all = numbers(similar(county, {{"place", village}, {"description", text}}), "items");
  EXPECT_TRUE(contains(all, mine));
  EXPECT_TRUE(contains(all, other_township));
  EXPECT_FALSE(contains(all, other_county)) << "another county is another area";

  Session grid = account_session("repeat.grid", Role::kGridWorker, township);
  auto in_township = similar(grid, {{"place", village}, {"description", text}});
  EXPECT_TRUE(contains(numbers(in_township, "items"), mine));
  const std::string body = json::serialize(in_township);
  EXPECT_EQ(body.find(other_township), std::string::npos) << body;
  EXPECT_EQ(body.find(other_county), std::string::npos) << body;
  // A place outside the caller's scope: an empty answer, the same as "no candidates".
  auto foreign = similar(grid, {{"place", village_in(kYuehu)}, {"description", text}});
  EXPECT_EQ(json::serialize(foreign), R"({"items":[]})");
  auto foreign_county = similar(yuehu, {{"place", village}, {"description", text}});
  EXPECT_EQ(json::serialize(foreign_county), R"({"items":[]})");

  // The reading is audited with the candidates it showed.
  auto only_mine = similar(grid, {{"place", village}, {"description", text}});
  bool audited = false;
  for (const auto& e : audit_of(mine)) audited = audited || e.action == "case.similar";
  EXPECT_TRUE(audited) << json::serialize(only_mine);
}

// Matches are found on the signatures (the place as registered), but candidates are the cases
// as they are now: a case moved out of the caller's subtree or merged is not shown.
TEST_P(RepeatsApi, CandidatesAreTheCasesAsTheyAreNow) {
  const std::string t = tag();
  const std::string text = "水库放水冲毁了机耕路，无人修复 " + t;
  const std::string village = village_in(kYujiang);
  const std::string township = village.substr(0, 9);
  Session county = account_session("repeat.now", Role::kOperator, kYujiang);
  auto registered = [&](const std::string& contact) {
    return number_of(register_case(&county, intake(village, text, contact)));
  };
  const std::string moved = registered("13700000041");
  const std::string merged = registered("13700000042");
  const std::string kept = registered("13700000043");
  Session grid = account_session("repeat.now.grid", Role::kGridWorker, township);
  auto before = numbers(similar(grid, {{"place", village}, {"description", text}}), "items");
  for (const auto& n : {moved, merged, kept}) EXPECT_TRUE(contains(before, n)) << n;

  // Into another township of the county, as a transfer would leave it.
  const std::string elsewhere = village_elsewhere(kYujiang, township);
  auto ok = db_->write_value([&](store::Sql& sql) -> Result<void> {
    if (auto r = sql.exec("UPDATE cases SET place_code = $1 WHERE number = $2",
                          {elsewhere, moved});
        !r) {
      return r.error();
    }
    if (auto r = sql.exec("UPDATE cases SET state = 'merged' WHERE number = $1", {merged}); !r) {
      return r.error();
    }
    return {};
  });
  ASSERT_TRUE(ok) << ok.error().message;
  auto after = json::serialize(similar(grid, {{"place", village}, {"description", text}}));
  EXPECT_NE(after.find(kept), std::string::npos) << after;
  EXPECT_EQ(after.find(moved), std::string::npos) << "moved out of the township: " << after;
  EXPECT_EQ(after.find(merged), std::string::npos) << "merged: " << after;
  auto wide = numbers(similar(county, {{"place", village}, {"description", text}}), "items");
  EXPECT_TRUE(contains(wide, moved)) << "still in the county";
  EXPECT_FALSE(contains(wide, merged));
}

// Art. 19: the same person's same matter is linked to the case being handled, however the
// number is written, and the answer tells where it stands — but only to those who may know
// whose case is whose: staff who see contacts, never a role that sees them masked.
TEST_P(RepeatsApi, ALinkTellsWhereTheMatterStandsAndOnlyToWhoSeesContacts) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  const std::string township = village.substr(0, 9);
  Session op = account_session("repeat.link", Role::kOperator);
  auto first = register_case(&op, intake(village, "垃圾桶满了没人清运 " + t, "135 0000 0071"));
  const std::string a = number_of(first);
  EXPECT_FALSE(first.as_object().contains("repeat_of")) << json::serialize(first);

  auto again =
      register_case(&op, intake(village, "又一次反映，垃圾桶满了 " + t, "+86 135-0000-0071"));
  ASSERT_TRUE(again.as_object().contains("repeat_of")) << json::serialize(again);
  EXPECT_EQ(again.at("state").as_string(), "merged");
  const json::object& link = again.at("repeat_of").as_object();
  EXPECT_EQ(link.at("number").as_string(), a);
  EXPECT_EQ(link.at("state").as_string(), "registered");
  const std::string unit(link.at("unit").as_string());
  EXPECT_FALSE(unit.empty()) << json::serialize(link);
  const std::string note(link.at("note").as_string());
  EXPECT_NE(note.find(a), std::string::npos) << note;
  EXPECT_NE(note.find(unit), std::string::npos) << note;
  EXPECT_FALSE(link.contains("tracking_code"));
  EXPECT_FALSE(link.contains("contact"));

  // A grid worker sees contacts masked: the same number is no link (it would tell them that
  // this phone has case `a`), and no candidate says "person".
  Session grid = account_session("repeat.link.grid", Role::kGridWorker, township);
  auto masked = register_case(&grid, intake(village, "垃圾桶满了 " + t, "13500000071"));
  EXPECT_FALSE(masked.as_object().contains("repeat_of")) << json::serialize(masked);
  EXPECT_EQ(masked.at("state").as_string(), "registered");
  if (const json::object* c = candidate(masked, "candidates", a)) {
    EXPECT_FALSE(reasons(*c).contains("person")) << json::serialize(*c);
  }
  // The office, who sees contacts, finds the person among the candidates and may merge by hand.
  auto office = similar(op, {{"place", village},
                             {"category", "urban.sanitation"},
                             {"description", "另一件事"},
                             {"contact", "138-0000-9999"}});
  EXPECT_FALSE(contains(numbers(office, "items"), a)) << "another number is another person";
  auto same = similar(op, {{"place", village},
                           {"category", "urban.sanitation"},
                           {"description", "另一件事"},
                           {"contact", "0086 135 0000 0071"}});
  ASSERT_TRUE(contains(numbers(same, "items"), a)) << json::serialize(same);
  EXPECT_TRUE(reasons(*candidate(same, "items", a)).contains("person"));
}

// Migration 0022: a signature keyed the old way (the contact's digits as typed: +86 … kept the
// 86) gets the key of the contact's compared form; the others are left as they are.
TEST_P(RepeatsApi, TheMigrationRekeysContactsWrittenOtherwise) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  Session op = account_session("repeat.rekey", Role::kOperator);
  const std::string a =
      number_of(register_case(&op, intake(village, "路灯不亮已经一周 " + t, "+86 136 0000 0081")));
  const std::string b =
      number_of(register_case(&op, intake(village, "下水井盖丢失 " + t, "136 0000 0082")));
  const std::string county = village.substr(0, 6);
  auto key_of = [&](const std::string& number) {
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one("SELECT contact_key FROM case_signature WHERE number = $1", {number});
    });
    EXPECT_TRUE(row) << number;
    return row ? row->opt_int64(0) : std::nullopt;
  };
  EXPECT_EQ(key_of(a), store::repeats::contact_key(county, "13600000081"));
  const auto old_key = text::key_of(county + "|8613600000081");
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    auto r = sql.exec("UPDATE case_signature SET contact_key = $1 WHERE number = $2", {old_key, a});
    if (!r) return r.error();
    return {};
  }));
  const auto b_key = key_of(b);
  ASSERT_TRUE(db_->write([](store::Sql& sql) { return store::repeats::rekey_contacts(sql); }));
  EXPECT_EQ(key_of(a), store::repeats::contact_key(county, "13600000081"));
  EXPECT_EQ(key_of(b), b_key);
}

TEST_P(RepeatsApi, TheMigrationSignsCasesStoredBeforeIt) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  Session op = account_session("repeat.backfill", Role::kOperator);
  const std::string a =
      number_of(register_case(&op, intake(village, "下水道堵塞污水外溢 " + t, "13700000041")));
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    for (auto statement : {"DELETE FROM case_band", "DELETE FROM case_signature"}) {
      if (auto r = sql.exec(statement); !r) return r.error();
    }
    return {};
  }));
  json::object probe{{"place", village}, {"description", "下水道堵塞，污水外溢 " + t}};
  EXPECT_FALSE(contains(numbers(similar(op, probe), "items"), a));
  ASSERT_TRUE(db_->write([](store::Sql& sql) { return store::repeats::record_all_cases(sql); }));
  EXPECT_TRUE(contains(numbers(similar(op, probe), "items"), a));
}

// A transfer (转送) into another county makes the case that county's: its county code, its
// place and its repeat signature (contact key and bands, keyed within the county) move with it,
// in the command's transaction, so that the same person's next report there is linked to it
// (Art. 19); its number stays.
TEST_P(RepeatsApi, ATransferIntoAnotherCountyMovesTheSignature) {
  const std::string t = tag();
  const std::string contact = "transfer-" + t + "@example.cn";
  Session op = account_session("repeat.transfer", Role::kOperator, "3606");
  const std::string number =
      number_of(register_case(&op, intake(village_in(kYujiang), "小区门口垃圾堆积 " + t, contact)));
  ASSERT_FALSE(number.empty());
  auto units = app_->catalogue.units_for_place(std::string(kYuehu));
  ASSERT_TRUE(units);
  std::optional<std::int64_t> bureau;
  for (const auto& u : *units) {
    if (u.jurisdiction_code == kYuehu && u.kind == domain::UnitKind::kPetitionBureau) bureau = u.id;
  }
  ASSERT_TRUE(bureau) << "月湖区信访局";
  auto moved = app_->cases.apply(
      number, domain::Command::kTransfer, {.note = "垃圾堆位于月湖区", .unit_id = bureau},
      app::CaseService::kCurrentVersion, app::Actor{.name = "system", .staff = true});
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->number, number) << "numbers are stable";
  EXPECT_EQ(moved->place_code, kYuehu);
  EXPECT_EQ(moved->county_code, kYuehu);
  EXPECT_EQ(app_->cases.get(number)->c.county_code, kYuehu);

  auto stored = db_->read_value(
      [&](store::Sql& sql) -> Result<std::pair<store::Row, std::set<std::int64_t>>> {
        auto sig = sql.query_one(
            "SELECT place_code, contact_key, minhash FROM case_signature WHERE number = $1",
            {number});
        if (!sig) return sig.error();
        auto bands = sql.query("SELECT band_key FROM case_band WHERE number = $1", {number});
        if (!bands) return bands.error();
        std::set<std::int64_t> keys;
        for (const auto& r : *bands) keys.insert(r.int64(0));
        return std::pair{std::move(*sig), std::move(keys)};
      });
  ASSERT_TRUE(stored) << stored.error().message;
  const auto& [sig, bands] = *stored;
  EXPECT_EQ(sig.text(0), kYuehu);
  EXPECT_EQ(sig.opt_int64(1), store::repeats::contact_key(kYuehu, contact));
  auto minhash = text::minhash_from_hex(sig.text(2));
  ASSERT_TRUE(minhash);
  const auto expected = text::band_keys(*minhash, kYuehu);
  EXPECT_EQ(bands, std::set<std::int64_t>(expected.begin(), expected.end()));

  // The same person reports it again to 月湖区: linked to the case that is now there.
  auto again = register_case(&op, intake(std::string(kYuehu), "垃圾还在 " + t, contact));
  ASSERT_TRUE(again.is_object() && again.as_object().contains("repeat_of"))
      << json::serialize(again);
  EXPECT_EQ(again.at("repeat_of").at("number").as_string(), number);
}

INSTANTIATE_TEST_SUITE_P(Stores, RepeatsApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::testing
