// Topic words: what a case is about, as whole words — 拆迁, 补偿款, 住建局, 12345 — for repeat
// detection (text/minhash.h) and for counts per place, word and day. Not the search tokens
// (text/tokenize.h): search needs every pair of characters, topics need real words.
//
// Segmentation is friso's (Debian libfriso0, MMSEG complex mode) over its own lexicon
// (friso-dict, /usr/share/friso/dict/UTF-8) plus jiceng's dictionary of government and local
// terms (data/domain_words.txt, embedded at build time). Of friso's tokens, topic_words keeps
// - Chinese words of two or more characters, not in the stop list (data/stop_words.txt:
//   function words and the boilerplate of every complaint, 反映 问题 希望 尽快 …);
// - Latin words of two or more letters (wifi, app), not in the stop list;
// - numbers of 3 to 6 digits (12345, 110); longer ones — phone, ID and account numbers — are
//   personal data and never a topic;
// and drops single characters, punctuation and quantities (3月, 5号楼). Person names are not
// recognised as words (friso's name recognition is off), so they fall apart into single
// characters and vanish.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace jiceng::text {

// The topic words of a normalised text (text::normalize_utf8) in text order, repeats kept.
// Thread-safe. Throws std::runtime_error when friso's lexicon cannot be loaded (call
// Segmenter::ready() at start-up to turn that into an error value).
std::vector<std::string> topic_words(std::string_view normalised);

// The same for a raw text: normalises it first.
std::vector<std::string> topic_words_of(std::string_view raw);

class Segmenter {
 public:
  // The process's one segmenter, loaded on first use (friso's lexicon and jiceng's words: a
  // few hundred milliseconds). Thread-safe: the lexicon is read-only once loaded and each call
  // segments with its own friso task.
  static const Segmenter& instance();
  // kUnavailable when friso's lexicon cannot be loaded.
  [[nodiscard]] static Result<void> ready();

  // Every token friso makes of a normalised text, in order, as UTF-8.
  std::vector<std::string> segment(std::string_view normalised) const;
  // Whether a word is in the stop list.
  bool is_stop_word(std::string_view word) const;

  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

 private:
  Segmenter();
  struct Friso;
  std::unique_ptr<Friso> friso_;
};

}  // namespace jiceng::text
