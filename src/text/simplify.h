// Traditional → simplified Chinese with OpenCC's t2s configuration (TSPhrases, then
// TSCharacters), as shipped by the libopencc-data package.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace jiceng::text {

class Simplifier {
 public:
  // The process's one converter, loaded from OpenCC's t2s.json on first use (a few tens of
  // milliseconds). Thread-safe: OpenCC's converter is immutable once loaded and its Convert is
  // const (its unit tests run it from many threads), and this class adds no state. Throws
  // std::runtime_error when OpenCC's data cannot be loaded: call ready() at start-up to turn
  // that into an error value before serving.
  static const Simplifier& instance();
  // kUnavailable when OpenCC's t2s configuration or dictionaries cannot be loaded.
  [[nodiscard]] static Result<void> ready();

  // Whether a text holding cp can be changed by the conversion: cp occurs in a dictionary key
  // whose value differs from it. Text without such a code point converts to itself, which
  // saves the conversion for nearly all simplified text.
  bool may_change(char32_t cp) const { return cp < triggers_.size() && triggers_[cp]; }
  // The simplified form of well-formed UTF-8 text.
  std::string convert(std::string_view utf8) const;

  ~Simplifier();
  Simplifier(const Simplifier&) = delete;
  Simplifier& operator=(const Simplifier&) = delete;

 private:
  Simplifier();
  struct Converter;
  std::vector<bool> triggers_;
  std::unique_ptr<Converter> converter_;
};

}  // namespace jiceng::text
