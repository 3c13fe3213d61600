#include "text/words.h"

extern "C" {
#include <friso.h>
}

#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "common/utf8.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace jiceng::text {

namespace data {
std::string_view domain_words();  // data/domain_words.txt, embedded by CMake
std::string_view stop_words();    // data/stop_words.txt
}  // namespace data

namespace {

// Where Debian's friso-dict puts the UTF-8 lexicon (its friso.lex.ini names the files).
constexpr std::string_view kLexiconDir = "/usr/share/friso/dict/UTF-8/";
// The longest word friso looks up, in characters: jiceng's words go up to 7 (外来务工人员).
constexpr unsigned kMaxWordLength = 7;

// The words of a data file: one a line, '#' comments and blank lines skipped.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (!line.empty() && line.front() != '#') out.push_back(line);
  }
  return out;
}

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

bool all_digits(std::string_view w) {
  return !w.empty() && w.find_first_not_of("0123456789") == std::string_view::npos;
}

bool only_word_chars(std::string_view utf8) {
  for (std::size_t at = 0; at < utf8.size();) {
    DecodedCodePoint d = decode_utf8_at(utf8, at);
    if (!is_cjk(d.value) && !is_word_char(d.value)) return false;
    at += d.size;
  }
  return true;
}

bool all_ascii(std::string_view w) {
  for (unsigned char c : w) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

struct Segmenter::Friso {
  friso_t friso = nullptr;
  friso_config_t config = nullptr;
  std::set<std::string, std::less<>> stop_words;

  ~Friso() {
    if (config != nullptr) friso_free_config(config);
    if (friso != nullptr) friso_free(friso);
  }
};

Segmenter::Segmenter() : friso_(std::make_unique<Friso>()) {
  const std::string dir(kLexiconDir);
  if (!std::filesystem::exists(dir + "friso.lex.ini")) {
    throw std::runtime_error("friso's lexicon is missing: no " + dir +
                             "friso.lex.ini (install the friso-dict package)");
  }
  friso_->friso = friso_new();
  friso_->config = friso_new_config();
  friso_config_t cfg = friso_->config;
  friso_init_config(cfg);
  friso_set_mode(cfg, __FRISO_COMPLEX_MODE__);
  cfg->max_len = kMaxWordLength;
  cfg->r_name = 0;   // no person names as words: they are personal data, not topics
  cfg->add_syn = 0;  // no synonyms appended
  cfg->clr_stw = 0;  // stop words are jiceng's (below)
  cfg->keep_urec = 0;
  cfg->en_sseg = 0;  // a Latin word stays one token
  friso_->friso->dic = friso_dic_new();
  std::string path = dir;
  friso_dic_load_from_ifile(friso_->friso, cfg, path.data(), cfg->max_len * 3);
  if (friso_spec_dic_size(friso_->friso->dic, __LEX_CJK_WORDS__) == 0) {
    throw std::runtime_error("friso's lexicon in " + dir + " holds no words");
  }
  for (std::string_view w : lines_of(data::domain_words())) {
    std::string word(w);
    if (friso_dic_match(friso_->friso->dic, __LEX_CJK_WORDS__, word.data())) continue;
    // The dictionary keeps (and at the end frees) the word: give it a malloc'd copy.
    char* owned = strdup(word.c_str());
    if (owned == nullptr) throw std::bad_alloc();
    friso_dic_add_with_fre(friso_->friso->dic, __LEX_CJK_WORDS__, owned, nullptr, 0);
  }
  for (std::string_view w : lines_of(data::stop_words())) friso_->stop_words.emplace(w);
}

Segmenter::~Segmenter() = default;

const Segmenter& Segmenter::instance() {
  static const Segmenter segmenter;
  return segmenter;
}

Result<void> Segmenter::ready() {
  try {
    (void)instance();
    return {};
  } catch (const std::runtime_error& e) {
    return Error{ErrorCode::kUnavailable, e.what()};
  }
}

bool Segmenter::is_stop_word(std::string_view word) const {
  return friso_->stop_words.find(word) != friso_->stop_words.end();
}

std::vector<std::string> Segmenter::segment(std::string_view normalised) const {
  std::vector<std::string> out;
  // friso reads a NUL-terminated, writable buffer and keeps per-call state in its task; the
  // lexicon and the configuration are only read.
  std::string text(normalised);
  friso_task_t task = friso_new_task();
  if (task == nullptr) throw std::bad_alloc();
  friso_set_text(task, text.data());
  while (friso_->config->next_token(friso_->friso, friso_->config, task) != nullptr) {
    out.emplace_back(task->token->word);
  }
  friso_free_task(task);
  return out;
}

std::vector<std::string> topic_words(std::string_view normalised) {
  const Segmenter& s = Segmenter::instance();
  std::vector<std::string> out;
  for (std::string& w : s.segment(normalised)) {
    if (s.is_stop_word(w)) continue;
    if (all_digits(w)) {
      if (w.size() >= 3 && w.size() <= 6) out.push_back(std::move(w));
      continue;
    }
    if (all_ascii(w)) {
      if (w.size() >= 2 && only_word_chars(w)) out.push_back(std::move(w));
      continue;
    }
    // Chinese (or mixed, such as b超): two or more characters, all of them CJK or word
    // characters, and not a quantity such as 3月 or 5号楼.
    if (code_points(w) >= 2 && !(w.front() >= '0' && w.front() <= '9') && only_word_chars(w)) {
      out.push_back(std::move(w));
    }
  }
  return out;
}

std::vector<std::string> topic_words_of(std::string_view raw) {
  return topic_words(normalize_utf8(raw));
}

}  // namespace jiceng::text
