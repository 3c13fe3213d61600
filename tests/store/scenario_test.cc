// Workflow scenarios as data: every tests/scenarios/*.scenario file (the format is in
// tests/scenarios/README.md) runs through the app layer on SQLite and on PostgreSQL, over the
// demo deployment (江西省's tree, 鹰潭市's units, the seeded catalogue, the official calendar),
// with a fixed clock the scenario moves. Failures name FILE:LINE with expected and actual values.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/cases.h"
#include "app/imports.h"
#include "domain/jurisdiction.h"
#include "store/account_repo.h"
#include "store/catalogue_repo.h"
#include "support/demo_db.h"

namespace jiceng::app {
namespace {

namespace fs = std::filesystem;
using domain::Case;
using testing::Backend;

// ---- The script: steps of words and key=value / key~value arguments. ----

struct Arg {
  std::string key;
  char op = '=';  // '=' equal, '~' contains
  std::string value;
};

struct Step {
  int line = 0;
  std::string verb;                  // at, advance, register, command, run-timers, expect
  std::vector<std::string> words{};  // the positional words after the verb
  std::vector<Arg> args{};
  bool expect_error = false;  // written as "expect-error <verb> …"
  std::string bug{};          // from a preceding expect-bug line: a known bug
};

struct Grammar {
  std::size_t words;  // how many positional words
  std::vector<std::string_view> keys;
};

const std::map<std::string, Grammar, std::less<>>& grammar() {
  static const std::map<std::string, Grammar, std::less<>> g = {
      {"at", {1, {}}},
      {"advance", {1, {}}},
      {"run-timers", {0, {}}},
      {"import-calendar", {1, {}}},
      {"register",
       {2,
        {"category", "place", "submitter", "contact", "anonymous", "channel", "received",
         "description", "as"}}},
      {"command",
       {2, {"note", "reply", "unit", "rating", "days", "target", "limit", "as", "version"}}},
      {"expect",
       {1,
        {"state", "version", "clock", "deadline", "warned", "breached", "extensions", "rating",
         "merged_into", "reply", "unit", "unit.kind", "unit.level", "events", "public_events",
         "number", "provisional", "tracked_provisional", "place"}}},
  };
  return g;
}

// Splits a line into words; a double-quoted part (also after key= or key~) keeps its spaces.
Result<std::vector<std::string>> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t') {
      ++i;
      continue;
    }
    std::string word;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      if (line[i] != '"') {
        word += line[i++];
        continue;
      }
      auto close = line.find('"', i + 1);
      if (close == std::string_view::npos) return Error::invalid_argument("unclosed quote");
      word += line.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    out.push_back(std::move(word));
  }
  return out;
}

std::optional<Arg> as_arg(const std::string& word) {
  auto at = word.find_first_of("=~");
  if (at == 0 || at == std::string::npos) return std::nullopt;
  std::string key = word.substr(0, at);
  if (!std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      })) {
    return std::nullopt;
  }
  return Arg{key, word[at], word.substr(at + 1)};
}

bool key_allowed(const Grammar& g, const Step& s, const std::string& key) {
  if (std::find(g.keys.begin(), g.keys.end(), key) != g.keys.end()) return true;
  if (s.verb == "expect" && (key.starts_with("event.") || key.starts_with("public_event.")))
    return true;
  return s.expect_error && (key == "code" || key == "allowed" || key == "message");
}

// Parses a whole file; errors are "NAME:LINE: what is wrong".
Result<std::vector<Step>> parse_script(const fs::path& file, const std::string& name) {
  std::ifstream in(file);
  if (!in) return Error::invalid_argument(name + ": cannot be read");
  std::vector<Step> steps;
  std::string text;
  std::string pending_bug;
  int pending_bug_line = 0;
  for (int line = 1; std::getline(in, text); ++line) {
    auto fail = [&](const std::string& what) {
      return Error::invalid_argument(fmt::format("{}:{}: {}", name, line, what));
    };
    auto words = split_words(text);
    if (!words) return fail(words.error().message);
    if (words->empty() || words->front().starts_with("#")) continue;
    Step s{.line = line, .verb = words->front()};
    std::size_t first = 1;
    if (s.verb == "expect-bug") {
      if (words->size() != 2 || words->at(1).empty()) return fail("expect-bug \"reason\"");
      pending_bug = words->at(1);
      pending_bug_line = line;
      continue;
    }
    if (s.verb == "expect-error") {
      if (words->size() < 2) return fail("expect-error register|command …");
      s.verb = words->at(1);
      s.expect_error = true;
      first = 2;
      if (s.verb != "register" && s.verb != "command") {
        return fail("expect-error applies to register or command, not " + s.verb);
      }
    }
    auto g = grammar().find(s.verb);
    if (g == grammar().end()) return fail("unknown step '" + s.verb + "'");
    for (std::size_t i = first; i < words->size(); ++i) {
      auto arg = as_arg(words->at(i));
      if (!arg) {
        if (!s.args.empty()) return fail("'" + words->at(i) + "' after the key=value arguments");
        s.words.push_back(words->at(i));
      } else if (!key_allowed(g->second, s, arg->key)) {
        return fail("'" + s.verb + "' takes no argument '" + arg->key + "'");
      } else {
        s.args.push_back(*arg);
      }
    }
    if (s.words.size() != g->second.words) {
      return fail(fmt::format("'{}' takes {} word(s) before its arguments, not {}", s.verb,
                              g->second.words, s.words.size()));
    }
    if (s.expect_error &&
        std::none_of(s.args.begin(), s.args.end(), [](const Arg& a) { return a.key == "code"; })) {
      return fail("expect-error needs code=…");
    }
    s.bug = std::exchange(pending_bug, "");
    steps.push_back(std::move(s));
  }
  if (!pending_bug.empty()) {
    return Error::invalid_argument(
        fmt::format("{}:{}: expect-bug is not followed by a step", name, pending_bug_line));
  }
  return steps;
}

// ---- Values: numbers, China time, durations, lists. ----

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "2025-10-09T24:00+08:00" (24:00 is the end of that day), "…T10:30:15+08:00", "2025-10-09".
std::optional<Instant> parse_cst(std::string_view s) {
  auto day = parse_date(s.substr(0, 10));
  if (!day) return std::nullopt;
  if (s.size() == 10) return domain::china_midnight(*day);
  if (s.size() < 22 || !s.ends_with("+08:00") || s[10] != 'T') return std::nullopt;
  std::string_view clock = s.substr(11, s.size() - 17);  // HH:MM or HH:MM:SS
  if ((clock.size() != 5 && clock.size() != 8) || clock[2] != ':' ||
      (clock.size() == 8 && clock[5] != ':')) {
    return std::nullopt;
  }
  auto h = parse_int(clock.substr(0, 2)), m = parse_int(clock.substr(3, 2));
  auto sec = clock.size() == 8 ? parse_int(clock.substr(6, 2)) : std::optional<long long>(0);
  if (!h || !m || !sec || *h < 0 || *m < 0 || *sec < 0) return std::nullopt;
  if (*h > 24 || *m > 59 || *sec > 59 || (*h == 24 && (*m || *sec))) return std::nullopt;
  return domain::china_midnight(*day) + std::chrono::hours(*h) + std::chrono::minutes(*m) +
         std::chrono::seconds(*sec);
}

// The form deadlines are written in: midnight as 24:00 of the day before.
std::string format_cst(Instant t) {
  Date day = domain::china_date(t);
  auto since = std::chrono::duration_cast<std::chrono::seconds>(t - domain::china_midnight(day));
  if (since.count() == 0) return format_date(day - std::chrono::days(1)) + "T24:00+08:00";
  auto h = since.count() / 3600, m = since.count() / 60 % 60, s = since.count() % 60;
  return s ? fmt::format("{}T{:02}:{:02}:{:02}+08:00", format_date(day), h, m, s)
           : fmt::format("{}T{:02}:{:02}+08:00", format_date(day), h, m);
}

// "3d", "2h", "1d2h30m", "45s".
std::optional<std::chrono::seconds> parse_duration(std::string_view s) {
  std::chrono::seconds total{0};
  while (!s.empty()) {
    std::size_t digits = 0;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    if (digits == 0 || digits == s.size()) return std::nullopt;
    auto n = parse_int(s.substr(0, digits));
    if (!n) return std::nullopt;
    switch (s[digits]) {
      case 'd':
        total += std::chrono::days(*n);
        break;
      case 'h':
        total += std::chrono::hours(*n);
        break;
      case 'm':
        total += std::chrono::minutes(*n);
        break;
      case 's':
        total += std::chrono::seconds(*n);
        break;
      default:
        return std::nullopt;
    }
    s.remove_prefix(digits + 1);
  }
  return total.count() ? std::optional(total) : std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out.empty() ? "none" : out;
}

// ---- Running a scenario. ----

class FixedClock final : public Clock {
 public:
  Instant now() const override { return now_; }
  void set(Instant t) { now_ = t; }

 private:
  Instant now_ = *parse_cst("2026-03-02T09:00+08:00");
};

// What a step found wrong; nullopt when it passed.
using Problem = std::optional<std::string>;

// Everything a tracking page's view holds, as text: what the cached page and a fresh read of
// it are compared by.
std::string track_text(const TrackView& v) {
  const auto at = [](const std::optional<Instant>& t) {
    return t ? std::to_string(t->time_since_epoch().count()) : std::string("none");
  };
  std::string out = fmt::format(
      "{} {} {} {} {} unit={} deadline={} reply={} replied={} rating={} merged={} handled={} "
      "shared={} provisional={} commands=",
      v.number, domain::to_string(v.kind), v.category_code, v.place_code,
      domain::to_string(v.state), v.unit_name, at(v.deadline_at), v.reply, at(v.replied_at),
      domain::to_string(v.rating), v.merged_into, v.handled_in, v.reply_shared,
      v.deadline_provisional);
  for (domain::Command c : v.commands) out += fmt::format("{},", domain::to_string(c));
  for (const domain::CaseEvent& e : v.events) {
    out += fmt::format("\n  {} {} {} {} {}", e.at.time_since_epoch().count(), e.command,
                       domain::to_string(e.to), e.actor, e.note);
  }
  return out;
}

class ScenarioRun {
 public:
  ScenarioRun(store::Database& db, std::string stem) : db_(db), stem_(std::move(stem)) {
    // As the server does on SQLite: the tracking pages are kept (app::TrackCache), and after
    // every step check_kept_pages compares each with a fresh read.
    if (db_.dialect() == store::Dialect::kSqlite) {
      auto cached = service_.use_track_cache(std::make_shared<TrackCache>(4 << 20));
      EXPECT_TRUE(cached) << cached.error().message;
    }
  }
  ~ScenarioRun() { (void)service_.use_track_cache(nullptr); }
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  // Each of the file's cases' tracking page, through the cache (a page kept at an earlier step
  // is served now if the cache holds it fresh), against the same page read anew.
  Problem check_kept_pages() {
    for (const auto& [alias, number] : numbers_) {
      auto c = service_.get(number);
      if (!c) return "cannot read " + alias + ": " + c.error().message;
      const std::string& code = c->c.tracking_code;
      auto kept = service_.track_page(code, track_text);
      auto fresh = service_.track(code);
      if (!kept || !fresh) {
        if (kept.has_value() != fresh.has_value()) {
          return fmt::format("the tracking page of {} answered {} from the cache, {} anew", alias,
                             kept ? "a page" : kept.error().message,
                             fresh ? "a page" : fresh.error().message);
        }
        continue;
      }
      if (std::string now = track_text(*fresh); *kept != now) {
        return fmt::format(
            "the tracking page of {} ({}) from the cache is stale:\n{}\nread anew:\n{}", alias,
            number, *kept, now);
      }
    }
    return std::nullopt;
  }

  Problem run(const Step& s) {
    if (s.verb == "at") {
      auto t = parse_cst(s.words[0]);
      if (!t) return "not a China time: " + s.words[0] + " (write 2025-10-01T09:00+08:00)";
      clock_.set(*t);
      return std::nullopt;
    }
    if (s.verb == "advance") {
      auto d = parse_duration(s.words[0]);
      if (!d) return "not a duration: " + s.words[0] + " (write 3d, 2h, 1d2h30m)";
      clock_.set(clock_.now() + *d);
      return std::nullopt;
    }
    if (s.verb == "run-timers") {
      // The server's scheduler step: a calendar imported meanwhile first, then the timers.
      auto refreshed = service_.refresh_calendar();
      if (!refreshed) return "run-timers failed: " + refreshed.error().message;
      auto n = service_.run_due_timers();
      if (!n) return "run-timers failed: " + n.error().message;
      return std::nullopt;
    }
    if (s.verb == "import-calendar") {
      // As `jiceng import calendar --source FILE` in another process: the store only.
      auto r = import_calendar(db_, fs::path(JICENG_SOURCE_DIR) / "tests/scenarios" / s.words[0]);
      if (!r) return "import-calendar failed: " + r.error().message;
      return std::nullopt;
    }
    if (s.verb == "register") return register_case(s);
    if (s.verb == "command") return command(s);
    return expect(s);
  }

 private:
  static const Arg* arg(const Step& s, std::string_view key) {
    auto it =
        std::find_if(s.args.begin(), s.args.end(), [&](const Arg& a) { return a.key == key; });
    return it == s.args.end() ? nullptr : &*it;
  }
  static std::string value(const Step& s, std::string_view key, std::string fallback = {}) {
    const Arg* a = arg(s, key);
    return a ? a->value : fallback;
  }

  Result<std::string> number_of(const std::string& alias) {
    auto it = numbers_.find(alias);
    if (it == numbers_.end()) return Error::invalid_argument("no case registered as " + alias);
    return it->second;
  }

  // "360602001/township_government", "360602/住建局": the unit of that kind (or department)
  // sitting on that node.
  Result<domain::Unit> unit(const std::string& ref) {
    auto slash = ref.find('/');
    if (slash == std::string::npos) return Error::invalid_argument("a unit is PLACE/KIND: " + ref);
    std::string place = ref.substr(0, slash), what = ref.substr(slash + 1);
    if (!domain::level_of_code(place)) return Error::invalid_argument("not a place code: " + place);
    auto units = db_.read_value(
        [&](store::Sql& sql) { return store::catalogue::units_on_chain(sql, place); });
    if (!units) return units.error();
    for (const auto& u : *units) {
      if (u.jurisdiction_code == place &&
          (domain::to_string(u.kind) == what || u.department == what))
        return u;
    }
    return Error::invalid_argument("no unit " + ref + " in the demo deployment");
  }
  std::string describe(std::optional<std::int64_t> id) {
    if (!id) return "none";
    auto u = db_.read_value([&](store::Sql& sql) { return store::catalogue::find_unit(sql, *id); });
    if (!u || !*u) return "unit #" + std::to_string(*id);
    const auto& x = **u;
    return x.jurisdiction_code + "/" +
           (x.department.empty() ? std::string(domain::to_string(x.kind)) : x.department) + " (" +
           x.name + ")";
  }

  // The mobile number of submitter NAME in this scenario, written as people write it
  // ("139 1234 5678"): 139 and eight digits of a hash of the file and the name, so that no two
  // files share a person (an explicit contact= in the files uses other prefixes).
  std::string mobile_of(const std::string& name) const {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: the same numbers on every platform
    for (char c : stem_ + ":" + name) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    const auto digits = fmt::format("{:08d}", h % 100000000);
    return fmt::format("139 {} {}", digits.substr(0, 4), digits.substr(4));
  }

  // The resident account NAME stands for in this scenario, created on first use.
  Result<std::int64_t> resident_account(const std::string& name) {
    if (auto it = residents_.find(name); it != residents_.end()) return it->second;
    store::accounts::AccountRow row{.username = "scn:" + stem_ + ":" + name,
                                    .kind = "resident",
                                    .role = "resident",
                                    .display_name = name,
                                    .password_hash = "-",  // never signs in
                                    .created_at = clock_.now()};
    auto id = db_.write_value([&](store::Sql& sql) { return store::accounts::insert(sql, row); });
    if (id) residents_[name] = *id;
    return id;
  }

  // "staff" (inside jiceng, the default for commands), "resident" (the anonymous web form, the
  // default for registrations), "tracking" (an anonymous resident holding the case's tracking
  // code), "resident:NAME" (a signed-in resident), "ROLE@PLACE" (a staff principal scoped to
  // PLACE), "ROLE@PLACE/KIND" (staff of that unit).
  Result<Actor> actor(const std::string& spec, bool is_command) {
    if (spec.empty()) return is_command ? Actor{.name = "staff", .staff = true} : Actor{};
    if (spec == "staff") return Actor{.name = "staff", .staff = true};
    if (spec == "resident") return Actor{};
    if (spec == "tracking") return Actor::by_tracking_code({});
    domain::Principal p;
    if (spec.starts_with("resident:")) {
      auto id = resident_account(spec.substr(9));
      if (!id) return id.error();
      p.role = domain::Role::kResident;
      p.id = *id;
      return Actor::of(p, {});
    }
    auto at = spec.find('@');
    if (at == std::string::npos) return Error::invalid_argument("unknown actor " + spec);
    auto role = domain::role_from_string(spec.substr(0, at));
    if (!role) return role.error();
    p.role = *role;
    p.id = 1;
    p.username = spec;
    p.scope_code = spec.substr(at + 1);
    if (auto slash = p.scope_code.find('/'); slash != std::string::npos) {
      auto u = unit(p.scope_code);
      if (!u) return u.error();
      p.unit_id = u->id;
      p.scope_code = u->jurisdiction_code;
    }
    return Actor::of(p, {});
  }

  Problem register_case(const Step& s) {
    if (numbers_.contains(s.words[0])) return "the alias " + s.words[0] + " is taken";
    domain::Intake in;
    auto kind = domain::case_kind_from_string(s.words[1]);
    if (!kind) return kind.error().message;
    in.kind = *kind;
    in.category_code = value(s, "category");
    in.place_code = value(s, "place");
    in.anonymous = value(s, "anonymous") == "yes";
    if (!in.anonymous) {
      in.submitter_name = value(s, "submitter", s.words[0]);
      in.submitter_contact = value(s, "contact", mobile_of(in.submitter_name));
    }
    in.description = value(s, "description", "情景测试 " + stem_ + "：" + s.words[0]);
    if (const Arg* c = arg(s, "channel")) {
      auto channel = domain::channel_from_string(c->value);
      if (!channel) return channel.error().message;
      in.channel = *channel;
    }
    if (const Arg* r = arg(s, "received")) {
      in.received_at = parse_cst(r->value);
      if (!in.received_at) return "not a China time: " + r->value;
    }
    auto who = actor(value(s, "as"), false);
    if (!who) return who.error().message;
    auto r = service_.register_case(in, *who);
    if (s.expect_error) return r ? "registered " + r->registered.number : outcome(s, r.error());
    if (!r) return "register failed: " + r.error().message;
    numbers_[s.words[0]] = r->registered.number;
    return std::nullopt;
  }

  Problem command(const Step& s) {
    auto number = number_of(s.words[0]);
    if (!number) return number.error().message;
    auto cmd = domain::command_from_string(s.words[1]);
    if (!cmd) return cmd.error().message;
    CommandInput in{.note = value(s, "note"), .reply = value(s, "reply")};
    if (const Arg* u = arg(s, "unit")) {
      auto target = unit(u->value);
      if (!target) return target.error().message;
      in.unit_id = target->id;
    }
    if (const Arg* r = arg(s, "rating")) {
      auto rating = domain::rating_from_string(r->value);
      if (!rating) return rating.error().message;
      in.rating = *rating;
    }
    auto days = parse_int(value(s, "days", "0"));
    if (!days) return "days: not a number: " + value(s, "days");
    in.extension_days = static_cast<int>(*days);
    if (const Arg* l = arg(s, "limit")) {
      // 3wd (working days), 5d (calendar days), 4h (hours); a negative amount as it is.
      const std::string& v = l->value;
      const auto digits = v.find_first_not_of("-0123456789");
      auto amount = parse_int(std::string_view(v).substr(0, digits));
      const std::string_view unit =
          digits == std::string::npos ? "" : std::string_view(v).substr(digits);
      const std::optional<domain::PeriodUnit> u =
          unit == "wd"  ? std::optional(domain::PeriodUnit::kWorkingDays)
          : unit == "d" ? std::optional(domain::PeriodUnit::kCalendarDays)
          : unit == "h" ? std::optional(domain::PeriodUnit::kHours)
                        : std::nullopt;
      if (!amount || !u) return "limit: 3wd, 5d or 4h, not " + v;
      in.time_limit = domain::Period{static_cast<int>(*amount), *u};
    }
    if (const Arg* t = arg(s, "target")) {
      auto target = number_of(t->value);
      in.target_case = target ? *target : t->value;  // an alias, or a number as it is
    }
    auto who = actor(value(s, "as"), true);
    if (!who) return who.error().message;
    auto before = service_.get(*number);
    if (!before) return before.error().message;
    std::int64_t version = before->c.version;
    if (const Arg* v = arg(s, "version")) {
      auto n = v->value == "stale" ? std::optional<long long>(version - 1) : parse_int(v->value);
      if (!n) return "version: a number or stale, not " + v->value;
      version = *n;
    }
    auto r = service_.apply(*number, *cmd, in, version, *who);
    if (!s.expect_error) {
      if (!r) return fmt::format("{} failed: {}", s.words[1], r.error().message);
      return std::nullopt;
    }
    if (r) return fmt::format("{} succeeded; the case is now {}", s.words[1], summary(*number));
    Problem wrong = outcome(s, r.error());
    auto after = service_.get(*number);
    if (!wrong && after &&
        (after->c.version != before->c.version || after->events.size() != before->events.size())) {
      wrong = "a refused command changed the case: " + summary(*number);
    }
    return wrong;
  }

  // Checks an error against code=, allowed= (the list a 409 names) and message~.
  static Problem outcome(const Step& s, const Error& e) {
    std::string got = fmt::format("{}: {}", to_string(e.code), e.message);
    if (value(s, "code") != to_string(e.code))
      return "expected " + value(s, "code") + ", got " + got;
    if (const Arg* a = arg(s, "allowed")) {
      constexpr std::string_view kMarker = "allowed now: ";
      auto at = e.message.find(kMarker);
      std::string listed =
          at == std::string::npos ? "(no list)" : e.message.substr(at + kMarker.size());
      std::erase(listed, ' ');
      if (listed != a->value) return "allowed: expected " + a->value + ", got " + listed;
    }
    if (const Arg* m = arg(s, "message"); m && e.message.find(m->value) == std::string::npos) {
      return "message: expected it to contain '" + m->value + "', got " + got;
    }
    return std::nullopt;
  }

  std::string summary(const std::string& number) {
    auto d = service_.get(number);
    if (!d) return d.error().message;
    std::vector<std::string> events;
    for (const auto& e : d->events) events.push_back(e.command);
    return fmt::format("state={} version={} unit={} clock={} deadline={} events={}",
                       domain::to_string(d->c.state), d->c.version, describe(d->c.unit_id),
                       domain::to_string(d->c.clock),
                       d->c.deadline_at ? format_cst(*d->c.deadline_at) : "none", join(events));
  }

  // The actual value of one expectation key, in the form scenarios write it.
  Result<std::string> actual(const CaseDetail& d, const std::string& key) {
    const Case& c = d.c;
    auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
    if (key == "state") return std::string(domain::to_string(c.state));
    if (key == "version") return std::to_string(c.version);
    if (key == "clock") return std::string(domain::to_string(c.clock));
    if (key == "deadline") return c.deadline_at ? format_cst(*c.deadline_at) : "none";
    if (key == "warned") return yes(c.warned);
    if (key == "breached") return yes(c.breached);
    if (key == "provisional") return yes(d.deadline_provisional);
    if (key == "tracked_provisional") {  // the same, as the resident's tracking page says it
      auto view = service_.track(c.tracking_code);
      if (!view) return view.error();
      return yes(view->deadline_provisional);
    }
    if (key == "extensions") return std::to_string(c.extensions);
    if (key == "rating")
      return c.rating == domain::Rating::kNone ? "none" : std::string(to_string(c.rating));
    if (key == "reply") return c.reply;
    if (key == "number") return c.number;
    if (key == "place") return c.place_code;
    if (key == "merged_into") {
      for (const auto& [alias, number] : numbers_) {
        if (number == c.merged_into) return alias;
      }
      return c.merged_into.empty() ? "none" : c.merged_into;
    }
    if (key.starts_with("unit")) {
      if (!c.unit_id) return std::string("none");
      auto u = db_.read_value(
          [&](store::Sql& sql) { return store::catalogue::find_unit(sql, *c.unit_id); });
      if (!u) return u.error();
      if (!*u) return std::string("missing");
      if (key == "unit.kind") return std::string(domain::to_string((*u)->kind));
      if (key == "unit.level") return std::string(domain::to_string(domain::level_of(**u)));
      return (*u)->jurisdiction_code + "/" +
             ((*u)->department.empty() ? std::string(domain::to_string((*u)->kind))
                                       : (*u)->department);
    }
    std::vector<domain::CaseEvent> events = d.events;
    if (key.starts_with("public_event")) {  // what the resident's tracking page shows
      auto view = service_.track(c.tracking_code);
      if (!view) return view.error();
      events = std::move(view->events);
    }
    if (key == "events" || key == "public_events") {
      std::vector<std::string> commands;
      for (const auto& e : events) commands.push_back(e.command);
      return join(commands);
    }
    // event.N[.field], event.last[.field] (public_event.… alike): the command by default, or
    // note, actor, unit, public.
    const std::size_t from = key.find('.') + 1;
    const std::size_t dot = key.find('.', from);
    const std::string index = key.substr(from, dot == std::string::npos ? dot : dot - from);
    const std::string field = dot == std::string::npos ? "command" : key.substr(dot + 1);
    auto i = index == "last" ? std::optional<long long>(events.size()) : parse_int(index);
    if (!i) return Error::invalid_argument("event.N: N is a number or last, not " + index);
    if (*i < 1 || *i > std::ssize(events)) return fmt::format("(only {} events)", events.size());
    const auto& e = events[static_cast<std::size_t>(*i - 1)];
    if (field == "command") return e.command;
    if (field == "note") return e.note;
    if (field == "actor") {
      for (const auto& [name, id] : residents_) {
        if (e.actor == "resident:" + std::to_string(id)) return "resident:" + name;
      }
      return e.actor;
    }
    if (field == "public") return yes(e.is_public);
    if (field == "unit") {
      std::string full = describe(e.unit_id);
      return full.substr(0, full.find(' '));
    }
    return Error::invalid_argument("unknown event field " + field);
  }

  Problem expect(const Step& s) {
    auto number = number_of(s.words[0]);
    if (!number) return number.error().message;
    auto d = service_.get(*number);
    if (!d) return d.error().message;
    std::string wrong;
    for (const Arg& a : s.args) {
      std::string want = a.value;
      if (a.key == "deadline" && want != "none") {
        auto t = parse_cst(want);
        if (!t) return "not a China time: " + want;
        want = format_cst(*t);
      }
      auto got = actual(*d, a.key);
      if (!got) return got.error().message;
      bool ok = a.op == '=' ? *got == want : got->find(want) != std::string::npos;
      if (!ok) {
        wrong +=
            fmt::format("\n  {}: expected {}{}, got {}", a.key, a.op == '~' ? "~" : "", want, *got);
      }
    }
    if (wrong.empty()) return std::nullopt;
    return s.words[0] + " (" + *number + ")" + wrong + "\n  case: " + summary(*number);
  }

  store::Database& db_;
  std::string stem_;
  FixedClock clock_;
  CaseService service_{db_, clock_};
  std::map<std::string, std::string> numbers_;     // alias → case number
  std::map<std::string, std::int64_t> residents_;  // resident NAME → account id
};

// ---- One test per (backend, scenario file). ----

struct ScenarioParam {
  Backend backend;
  fs::path file;
};

void PrintTo(const ScenarioParam& p, std::ostream* os) {
  *os << testing::to_string(p.backend) << " " << p.file.filename().string();
}

// Every tests/scenarios/*.scenario, in name order. (None found: gtest reports the suite as
// never instantiated, a failure.)
std::vector<ScenarioParam> scenarios() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(fs::path(JICENG_SOURCE_DIR) / "tests/scenarios", ec)) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<ScenarioParam> out;
  for (Backend b : testing::backends()) {
    for (const auto& f : files) out.push_back({b, f});
  }
  return out;
}

class Scenario : public ::testing::TestWithParam<ScenarioParam> {};

TEST_P(Scenario, Runs) {
  const fs::path& file = GetParam().file;
  const std::string where = fs::relative(file, JICENG_SOURCE_DIR).string();
  auto steps = parse_script(file, where);
  ASSERT_TRUE(steps) << steps.error().message;
  store::Database* db = testing::demo_database(GetParam().backend);
  ASSERT_TRUE(db);
  // Scenarios share the backend's demo database: submitters' numbers come from the file's name,
  // so no two scenarios link to each other's cases as repeats, and expectations look at their
  // own cases only.
  ScenarioRun run(*db, file.stem().string());
  for (const Step& s : *steps) {
    Problem problem = run.run(s);
    if (!s.bug.empty()) {
      if (problem) {
        std::printf("[ KNOWN BUG ] %s:%d: %s\n  %s\n", where.c_str(), s.line, s.bug.c_str(),
                    problem->c_str());
        std::fflush(stdout);
      } else {
        ADD_FAILURE_AT(where.c_str(), s.line)
            << "marked expect-bug (" << s.bug << ") but it passed: remove the marker";
      }
      continue;
    }
    if (problem) {
      ADD_FAILURE_AT(where.c_str(), s.line) << *problem;
      return;  // later steps build on this one
    }
    if (Problem stale = run.check_kept_pages()) {
      ADD_FAILURE_AT(where.c_str(), s.line) << "after this step: " << *stale;
      return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Scenario, ::testing::ValuesIn(scenarios()), [](const auto& p) {
  std::string name = testing::to_string(p.param.backend) + "_" + p.param.file.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

}  // namespace
}  // namespace jiceng::app
