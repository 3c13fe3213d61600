#include "store/sqlite_rank.h"

#include <array>

namespace jiceng::store {

namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr std::array<double, 2> kColumnWeight = {1.0, 0.5};  // sequence, unigrams
constexpr int kMaxRankedPhrases = 64;

// The average number of tokens of a row, read once per query.
struct Averages {
  double tokens_per_row = 1;
};

void free_averages(void* p) { delete static_cast<Averages*>(p); }

void rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int argc,
          sqlite3_value** argv) {
  if (argc != 1) {
    sqlite3_result_error(ctx, "jiceng_rank(table, ranked_phrases)", -1);
    return;
  }
  const int ranked = sqlite3_value_int(argv[0]);
  if (ranked < 0 || ranked > kMaxRankedPhrases || ranked > api->xPhraseCount(fts)) {
    sqlite3_result_error(ctx, "jiceng_rank: ranked_phrases out of range", -1);
    return;
  }
  auto* averages = static_cast<Averages*>(api->xGetAuxdata(fts, 0));
  if (!averages) {
    sqlite3_int64 rows = 0;
    sqlite3_int64 tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    averages = new Averages{
        rows > 0 && tokens > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0};
    if (int set = api->xSetAuxdata(fts, averages, &free_averages); set != SQLITE_OK) {
      sqlite3_result_error_code(ctx, set);
      return;
    }
  }
  std::array<double, kMaxRankedPhrases> frequency{};
  int instances = 0;
  int rc = api->xInstCount(fts, &instances);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0;
    int column = 0;
    int offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase < ranked && column < static_cast<int>(kColumnWeight.size())) {
      frequency[static_cast<std::size_t>(phrase)] +=
          kColumnWeight[static_cast<std::size_t>(column)];
    }
  }
  int length = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  const double norm = kK1 * (1 - kB + kB * length / averages->tokens_per_row);
  double score = 0;
  for (int p = 0; p < ranked; ++p) {
    double f = frequency[static_cast<std::size_t>(p)];
    score += f * (kK1 + 1) / (f + norm);
  }
  sqlite3_result_double(ctx, score);
}

}  // namespace

Result<void> register_search_rank(sqlite3* db) {
  fts5_api* fts5 = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&fts5), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (!fts5 || fts5->iVersion < 2) return Error::internal("this SQLite library has no FTS5");
  if (fts5->xCreateFunction(fts5, "jiceng_rank", nullptr, &rank, nullptr) != SQLITE_OK) {
    return Error::internal(std::string("cannot register jiceng_rank: ") + sqlite3_errmsg(db));
  }
  return {};
}

}  // namespace jiceng::store
