// Search over a demo database (issue 6: p95 < 50 ms at 1,000,000 cases for two-character and
// phrase queries), in-process, without HTTP and without the audit write: store::search::find
// for the queries of bench/lua/search.lua, limit 20, each in its own read transaction, for
// three callers — the whole city (3606), the township with the most cases and the township with
// the median number of cases. Prints p50/p95/p99/max in milliseconds per caller — wall time,
// and the CPU time of the searching thread (user and system), which a shared machine's load
// does not inflate — and per query the time and the matches ranked of the first round. Usage:
// jiceng_search_bench DB_URL [rounds]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "domain/access.h"
#include "store/database.h"
#include "store/search_repo.h"
#include "text/query.h"

namespace {

using namespace jiceng;

const char* const kQueries[] = {"纠纷",
                                "漏水",
                                "噪音",
                                "工资",
                                "污水",
                                "停水",
                                "补偿",
                                "低保",
                                "养老",
                                "医保",
                                "物业",
                                "违建",
                                "垃圾",
                                "路灯",
                                "拆迁",
                                "停电",
                                "油烟",
                                "积水",
                                "欠款",
                                "占道",
                                "宅基地",
                                "广场舞",
                                "\"路灯已经坏了\"",
                                "\"垃圾堆放点\"",
                                "\"公共厕所\"",
                                "\"窨井盖缺失\"",
                                "\"人行道\" 地砖",
                                "\"建筑垃圾\"",
                                "\"私自建房\"",
                                "拖欠 工资",
                                "\"噪音扰民\"",
                                "\"征地补偿\""};

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<std::size_t>(p / 100 * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB_URL [rounds]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 5;
  auto db = store::open_database(argv[1], {});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  auto towns = (*db)->read_value([](store::Sql& sql) {
    return sql.query(
        "SELECT substr(place_code, 1, 9) AS t, count(*) AS n FROM cases "
        "WHERE length(place_code) >= 9 GROUP BY t ORDER BY n DESC",
        {});
  });
  if (!towns || towns->empty()) {
    std::fprintf(stderr, "no cases in townships\n");
    return 1;
  }
  const store::Row& busiest = towns->front();
  const store::Row& median = (*towns)[towns->size() / 2];
  struct Caller {
    std::string name;
    std::string scope;
  };
  const Caller callers[] = {
      {"city 3606", "3606"},
      {fmt::format("busiest township {} ({} cases)", busiest.text(0), busiest.int64(1)),
       busiest.text(0)},
      {fmt::format("median township {} ({} cases)", median.text(0), median.int64(1)),
       median.text(0)}};
  for (const Caller& caller : callers) {
    store::cases::ListQuery q;
    std::tie(q.place_first, q.place_last) = domain::scope_range(caller.scope);
    q.limit = 20;
    std::vector<double> millis;
    std::vector<double> cpu;
    std::string first_round;
    for (int round = 0; round < rounds; ++round) {
      for (const char* text : kQueries) {
        auto query = text::parse_query(text);
        if (!query) return 1;
        const double c0 = thread_cpu_ms();
        auto t0 = std::chrono::steady_clock::now();
        auto page = (*db)->read_value(
            [&](store::Sql& sql) { return store::search::find(sql, *query, q, 0); });
        auto t1 = std::chrono::steady_clock::now();
        if (!page) {
          std::fprintf(stderr, "%s: %s\n", text, page.error().message.c_str());
          return 1;
        }
        const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        millis.push_back(ms);
        cpu.push_back(thread_cpu_ms() - c0);
        if (round == 0) {
          first_round += fmt::format(" {} {:.1f} ms ({}{});", text, ms, page->ranked,
                                     page->more_matches ? "+" : "");
        }
      }
    }
    std::printf(
        "%s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms over %zu searches; CPU p50 %.1f "
        "ms, p95 %.1f ms, p99 %.1f ms\n ",
        caller.name.c_str(), percentile(millis, 50), percentile(millis, 95), percentile(millis, 99),
        percentile(millis, 100), millis.size(), percentile(cpu, 50), percentile(cpu, 95),
        percentile(cpu, 99));
    std::printf("%s\n", first_round.c_str());
  }
  return 0;
}
