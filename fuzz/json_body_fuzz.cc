// TESTS.md F2: the strict reader of JSON request bodies (http::parse_object), which every JSON
// route uses before its own checks. For any bytes it must either refuse them with
// kInvalidArgument and a message in both languages, or return an object whose keys are all
// known; what it accepts must survive a round trip (serialized and read again: the same
// object, numbers to within a few units in the last place: Boost.JSON 1.81 does not round
// long decimals exactly), and the field readers must give a value or kInvalidArgument for every
// key.
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "http/json.h"

namespace {

using namespace jiceng;

[[noreturn]] void fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "json_body_fuzz: %s\ninput: %.*s\n", what.c_str(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

// The fields of a case submission and of a workflow command, the two bodies residents and
// staff send most.
const std::set<std::string_view> kKnown = {
    "kind",  "category", "place",       "address",        "point",       "anonymous",
    "name",  "contact",  "description", "channel",        "received_at", "note",
    "reply", "unit_id",  "rating",      "extension_days", "target_case", "time_limit"};

// Equal, doubles to within a relative 1e-14.
bool same(const boost::json::value& a, const boost::json::value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case boost::json::kind::double_: {
      const double x = a.get_double(), y = b.get_double();
      return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
    }
    case boost::json::kind::array: {
      const auto &p = a.get_array(), &q = b.get_array();
      if (p.size() != q.size()) return false;
      for (std::size_t i = 0; i < p.size(); ++i) {
        if (!same(p[i], q[i])) return false;
      }
      return true;
    }
    case boost::json::kind::object: {
      const auto &p = a.get_object(), &q = b.get_object();
      if (p.size() != q.size()) return false;
      for (const auto& kv : p) {
        const auto* other = q.if_contains(kv.key());
        if (other == nullptr || !same(kv.value(), *other)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = http::parse_object(input, kKnown);
  if (!parsed) {
    if (parsed.error().code != ErrorCode::kInvalidArgument) fail("refused, but not as 400", input);
    if (parsed.error().message.empty() || parsed.error().message_zh.empty()) {
      fail("refused without a message in both languages", input);
    }
    return 0;
  }
  for (const auto& kv : *parsed) {
    if (!kKnown.contains(kv.key())) fail("accepted an unknown key", input);
    auto s = http::string_field(*parsed, kv.key(), false);
    if (!s && s.error().code != ErrorCode::kInvalidArgument) fail("string_field error", input);
    auto p = http::period_field(*parsed, kv.key());
    if (!p && p.error().code != ErrorCode::kInvalidArgument) fail("period_field error", input);
  }
  const std::string again = boost::json::serialize(*parsed);
  auto reread = http::parse_object(again, kKnown);
  if (!reread) fail("its own output was refused: " + reread.error().message, input);
  if (!same(boost::json::value(*reread), boost::json::value(*parsed)))
    fail("the round trip changed the object", input);
  return 0;
}
