#include "text/simplify.h"

#include <Config.hpp>
#include <Conversion.hpp>
#include <ConversionChain.hpp>
#include <Converter.hpp>
#include <DictEntry.hpp>
#include <DictGroup.hpp>
#include <Exception.hpp>
#include <Lexicon.hpp>
#include <stdexcept>

#include "common/utf8.h"

namespace jiceng::text {

namespace {

constexpr std::string_view kConfig = "t2s.json";

// Marks the code points of every key of dict (and of the dictionaries it groups) whose default
// value is not the key itself: a text without any of them is left as it is.
void mark_triggers(const opencc::Dict& dict, std::vector<bool>& triggers) {
  if (const auto* group = dynamic_cast<const opencc::DictGroup*>(&dict)) {
    for (const auto& d : group->GetDicts()) mark_triggers(*d, triggers);
    return;
  }
  opencc::LexiconPtr lexicon = dict.GetLexicon();
  for (std::size_t i = 0; i < lexicon->Length(); ++i) {
    const opencc::DictEntry* e = lexicon->At(i);
    const std::string key = e->Key();
    if (e->GetDefault() == key) continue;
    for (std::size_t at = 0; at < key.size();) {
      DecodedCodePoint d = decode_utf8_at(key, at);
      if (d.valid) triggers[d.value] = true;
      at += d.size;
    }
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
    for (const auto& conversion : converter_->converter->GetConversionChain()->GetConversions()) {
      mark_triggers(*conversion->GetDict(), triggers_);
    }
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
