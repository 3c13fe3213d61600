// What a resident or an operator hands in when a case is registered, and the rules it must
// meet before anything is stored. Pure: the caller passes the current time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "common/utf8.h"
#include "domain/workflow.h"

namespace jiceng::domain {

enum class Channel { kWeb, kPhone, kWalkIn, kLetter, kMailbox, kOpen311 };
std::string_view to_string(Channel c);  // "web", "phone", "walk_in", "letter", "mailbox", "open311"
[[nodiscard]] Result<Channel> channel_from_string(std::string_view s);
// Channels through which staff register a matter on someone's behalf, and so may state when it
// was received (a letter's postmark, a visit's time).
bool staff_channel(Channel c);

struct GeoPoint {
  double lat = 0;  // WGS-84 degrees
  double lon = 0;
};

struct Intake {
  CaseKind kind = CaseKind::kDemand;
  std::string category_code;
  std::string place_code;  // a node of the jurisdiction tree
  std::string address;     // optional free text
  std::optional<GeoPoint> point;
  bool anonymous = false;
  std::string submitter_name;     // empty when anonymous
  std::string submitter_contact;  // phone or e-mail; empty when anonymous
  std::string description;
  Channel channel = Channel::kWeb;
  std::optional<Instant> received_at;  // staff channels only; never in the future
  // Optional: where the submitter's photo or file of the matter is (Open311's media_url, an
  // app's own storage); an absolute http or https URL, kept as given and shown only to the
  // submitter and the staff who see the person (app::CaseDetail::media_urls).
  std::string media_url;
};

inline constexpr std::size_t kMaxDescriptionChars = 4000;
inline constexpr std::size_t kMaxAddressChars = 200;
inline constexpr std::size_t kMaxNameChars = 50;
inline constexpr std::size_t kMaxContactChars = 100;
inline constexpr std::size_t kMaxNoteChars = 2000;   // a command's reason or remark
inline constexpr std::size_t kMaxReplyChars = 8000;  // a written reply (答复)
inline constexpr std::size_t kMaxMediaUrlChars = 2000;
// How far back staff may date a matter's receipt: a letter registered late, not a typo's year.
inline constexpr int kMaxReceivedAgeDays = 366;

// True when text holds nothing a reader can see: white space of any script (the ideographic
// space an IME types included) and invisible format characters (zero-width space, BOM …).
bool is_blank(std::string_view text);

// Checks a free text from outside: valid UTF-8, at most `max` characters, not blank when
// `required`, no control characters (newline, tab and carriage return allowed when `multiline`;
// C1 controls and the bidi overrides that make text read backwards never). kInvalidArgument
// names `field`, in English and Chinese.
[[nodiscard]] Result<void> check_text(std::string_view field, std::string_view text,
                                      std::size_t max, bool required, bool multiline);

// Checks a link to a submitter's photo or file (Intake::media_url): a URI (RFC 3986, so with a
// scheme) with scheme http or https and a host on the internet (not localhost, nor a loopback,
// private or link-local address), of at most kMaxMediaUrlChars, without user name or password.
// Anything else (javascript:, data:, a relative path, text with spaces) is refused with
// kInvalidArgument naming `field`, so that what staff are shown as a link is one, and one that
// does not point their browser into their own network.
[[nodiscard]] Result<void> check_media_url(std::string_view field, std::string_view url);

// Checks an intake. `by_staff` says whether the caller is an operator (who may set
// received_at). kInvalidArgument names the first offending field. Text is kept as typed (HTML
// stays text: it is never rendered); control characters other than newline and tab are refused
// (check_text).
[[nodiscard]] Result<void> validate_intake(const Intake& intake, Instant now, bool by_staff);

// "360602-2026-000123": the county's code, the year, and the county's running number that year.
std::string format_case_number(std::string_view county_code, int year, std::int64_t seq);

// A tracking code for the resident: 12 characters of Crockford base32 (60 random bits), shown
// in groups of four ("7K2M-9QXD-4HTR"). `random` must hold at least 8 bytes from a CSPRNG.
std::string make_tracking_code(std::span<const std::uint8_t> random);
// Accepts what a person types: case-insensitive, with or without dashes or spaces, and the
// usual confusions (O→0, I/L→1). nullopt when it cannot be a tracking code.
std::optional<std::string> normalize_tracking_code(std::string_view typed);

}  // namespace jiceng::domain
