#include "text/simplify.h"

#include <Config.hpp>
#include <Conversion.hpp>
#include <ConversionChain.hpp>
#include <Converter.hpp>
#include <DictEntry.hpp>
#include <DictGroup.hpp>
#include <Exception.hpp>
#include <Lexicon.hpp>
#include <algorithm>
#include <stdexcept>

#include "common/utf8.h"

namespace jiceng::text {

namespace {

constexpr std::string_view kConfig = "t2s.json";

// Every entry of dict and of the dictionaries it groups.
template <typename Fn>
void for_each_entry(const opencc::Dict& dict, Fn&& fn) {
  if (const auto* group = dynamic_cast<const opencc::DictGroup*>(&dict)) {
    for (const auto& d : group->GetDicts()) for_each_entry(*d, fn);
    return;
  }
  opencc::LexiconPtr lexicon = dict.GetLexicon();
  for (std::size_t i = 0; i < lexicon->Length(); ++i) fn(*lexicon->At(i));
}

std::vector<char32_t> code_points(const std::string& s) {
  std::vector<char32_t> out;
  for (std::size_t at = 0; at < s.size();) {
    DecodedCodePoint d = decode_utf8_at(s, at);
    out.push_back(d.value);
    at += d.size;
  }
  return out;
}

// Marks, for every key whose default value is not the key itself, one code point of it: a text
// without any marked code point holds no such key, so the conversion leaves it as it is. The
// one marked is a character that is itself a key (a traditional or variant character, rare in
// simplified text), so that ordinary simplified text seldom holds one.
void mark_triggers(const std::vector<const opencc::Dict*>& dicts, std::vector<bool>& triggers) {
  std::vector<bool> single(triggers.size(), false);
  for (const auto* dict : dicts) {
    for_each_entry(*dict, [&](const opencc::DictEntry& e) {
      auto key = code_points(e.Key());
      if (key.size() == 1) single[key[0]] = true;
    });
  }
  for (const auto* dict : dicts) {
    for_each_entry(*dict, [&](const opencc::DictEntry& e) {
      const std::string key = e.Key();
      if (e.GetDefault() == key) return;
      auto chars = code_points(key);
      auto rare = std::find_if(chars.begin(), chars.end(), [&](char32_t c) { return single[c]; });
      if (rare != chars.end()) {
        triggers[*rare] = true;
      } else {
        for (char32_t c : chars) triggers[c] = true;
      }
    });
  }
}

}  // namespace

struct Simplifier::Converter {
  opencc::ConverterPtr converter;
};

Simplifier::Simplifier() : triggers_(0x110000, false), converter_(std::make_unique<Converter>()) {
  try {
    opencc::Config config;
    converter_->converter = config.NewFromFile(std::string(kConfig));
    std::vector<const opencc::Dict*> dicts;
    for (const auto& conversion : converter_->converter->GetConversionChain()->GetConversions()) {
      dicts.push_back(conversion->GetDict().get());
    }
    mark_triggers(dicts, triggers_);
  } catch (const opencc::Exception& e) {
    throw std::runtime_error("OpenCC cannot load " + std::string(kConfig) + ": " + e.what());
  }
}

Simplifier::~Simplifier() = default;

const Simplifier& Simplifier::instance() {
  static const Simplifier simplifier;
  return simplifier;
}

Result<void> Simplifier::ready() {
  try {
    (void)instance();
    return {};
  } catch (const std::runtime_error& e) {
    return Error{ErrorCode::kUnavailable, e.what()};
  }
}

std::string Simplifier::convert(std::string_view utf8) const {
  return converter_->converter->Convert(std::string(utf8));
}

}  // namespace jiceng::text
