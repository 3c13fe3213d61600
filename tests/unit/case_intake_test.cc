#include "domain/case_intake.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <set>
#include <string_view>

namespace jiceng::domain {
namespace {

using namespace std::string_view_literals;

Instant at(const char* day) { return Instant(*parse_date(day)); }

Intake valid() {
  Intake in;
  in.kind = CaseKind::kDemand;
  in.category_code = "env.noise";
  in.place_code = "360602001001";
  in.submitter_name = "张三";
  in.submitter_contact = "13800000000";
  in.description = "夜间施工噪声扰民，每晚十点后仍在打桩。";
  return in;
}

TEST(CaseIntake, AValidIntakePasses) {
  EXPECT_TRUE(validate_intake(valid(), at("2026-03-01"), false));
  Intake anon = valid();
  anon.anonymous = true;
  anon.submitter_name.clear();
  anon.submitter_contact.clear();
  EXPECT_TRUE(validate_intake(anon, at("2026-03-01"), false));
  Intake html = valid();
  html.description = "<script>alert(1)</script> 路灯坏了";  // kept as text, never rendered
  EXPECT_TRUE(validate_intake(html, at("2026-03-01"), false));
}

// A link staff will be shown as one: a web address with a host, nothing a browser would run or
// read from the page itself, no credentials; its field named in both languages.
TEST(CaseIntake, AMediaUrlIsAWebAddress) {
  const Instant now = at("2026-03-01");
  for (std::string_view good :
       {"https://example.cn/photo.jpg", "http://203.0.113.8:8080/a/b.png?size=large#top",
        "HTTPS://EXAMPLE.CN/%E7%85%A7%E7%89%87.jpg", "https://[2001:db8::1]/p.jpg",
        "https://172.32.0.1/p.jpg", "https://localhost.example.cn/p.jpg"}) {
    Intake in = valid();
    in.media_url = std::string(good);
    EXPECT_TRUE(validate_intake(in, now, false)) << good;
  }
  const std::string longest = "https://example.cn/" + std::string(kMaxMediaUrlChars - 19, 'a');
  Intake fits = valid();
  fits.media_url = longest;
  EXPECT_TRUE(validate_intake(fits, now, false));
  for (const std::string& bad :
       {std::string("javascript:alert(1)"), std::string("data:image/png;base64,AAAA"),
        std::string("/uploads/photo.jpg"), std::string("example.cn/photo.jpg"),
        std::string("ftp://example.cn/photo.jpg"), std::string("https:///photo.jpg"),
        std::string("https://example.cn/my photo.jpg"), std::string("https://example.cn/照片.jpg"),
        std::string("https://user:secret@example.cn/p.jpg"), std::string("https://exa\nmple.cn"),
        longest + "a",
        // The staff's own network: this machine, private and link-local addresses.
        std::string("http://localhost:8080/p.jpg"), std::string("http://LocalHost./p.jpg"),
        std::string("http://127.0.0.1/p.jpg"), std::string("http://10.0.0.8/p.jpg"),
        std::string("http://172.16.5.1/p.jpg"), std::string("http://192.168.1.1/admin"),
        std::string("http://169.254.169.254/latest"), std::string("http://100.64.0.1/p.jpg"),
        std::string("http://[::1]/p.jpg"), std::string("http://[fd00::1]/p.jpg"),
        std::string("http://[fe80::1]/p.jpg"), std::string("http://[::ffff:10.0.0.1]/p.jpg")}) {
    Intake in = valid();
    in.media_url = bad;
    auto r = validate_intake(in, now, false);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message.rfind("media_url: ", 0), 0u) << r.error().message;
    EXPECT_EQ(r.error().message_zh.rfind("图片或附件链接（media_url）：", 0), 0u)
        << r.error().message_zh;
  }
}

TEST(CaseIntake, BadInputNamesTheField) {
  const Instant now = at("2026-03-01");
  struct Case {
    const char* field;
    void (*change)(Intake&);
    bool by_staff = false;
  } cases[] = {
      {"category", [](Intake& i) { i.category_code.clear(); }},
      {"place", [](Intake& i) { i.place_code = "36060"; }},
      {"description", [](Intake& i) { i.description = "  \n "; }},
      {"description", [](Intake& i) { i.description = std::string(4001, 'x'); }},
      {"description", [](Intake& i) { i.description = "bad \x01 byte"; }},
      {"description", [](Intake& i) { i.description = "\xE4\xB8"; }},  // truncated UTF-8
      {"point",
       [](Intake& i) {
         i.point = GeoPoint{91, 116};
       }},
      {"point",
       [](Intake& i) {
         i.point = GeoPoint{28.2, 181};
       }},
      {"point",
       [](Intake& i) {
         i.point = GeoPoint{0, 0};
       }},  // a phone without a fix
      {"point",
       [](Intake& i) {
         i.point = GeoPoint{117.0, 28.2};
       }},  // swapped
      {"point",
       [](Intake& i) {
         i.point = GeoPoint{28.2, -117.0};
       }},
      {"submitter_name", [](Intake& i) { i.submitter_name.clear(); }},
      {"submitter_contact", [](Intake& i) { i.submitter_contact = "123"; }},
      {"submitter_contact", [](Intake& i) { i.submitter_contact = "abc"; }},
      {"submitter", [](Intake& i) { i.anonymous = true; }},
      {"received_at", [](Intake& i) { i.received_at = at("2026-02-01"); }},  // web, resident
      {"received_at",
       [](Intake& i) {
         i.channel = Channel::kLetter;
         i.received_at = at("2026-03-02");
       },
       true},
  };
  for (const auto& c : cases) {
    Intake in = valid();
    c.change(in);
    auto r = validate_intake(in, now, c.by_staff);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message.rfind(c.field, 0), 0u) << r.error().message;
  }
  // 4,000 Chinese characters are fine: the limit counts characters, not bytes.
  Intake long_zh = valid();
  long_zh.description.clear();
  for (int i = 0; i < 4000; ++i) long_zh.description += "字";
  EXPECT_TRUE(validate_intake(long_zh, now, false));
  Intake yingtan = valid();
  yingtan.point = GeoPoint{28.24, 117.03};
  EXPECT_TRUE(validate_intake(yingtan, now, false));
  Intake letter = valid();
  letter.channel = Channel::kLetter;
  letter.received_at = at("2026-02-27");
  EXPECT_TRUE(validate_intake(letter, now, true));
}

// A description a reader sees nothing of is empty, whatever the script's white space: the
// ideographic space a Chinese IME types, zero-width spaces, a byte-order mark.
TEST(CaseIntake, BlankIsAnyInvisibleText) {
  for (std::string_view text : {"", " \t\r\n", "\u3000\u3000\u3000", "\u200b", "\ufeff",
                                "\u3000\u200b \ufeff\n", "\u00a0\u2003\u2060"}) {
    EXPECT_TRUE(is_blank(text)) << text;
  }
  for (std::string_view text : {"x", "\u3000字\u3000", "\u200b.", "\xE4\xB8"}) {
    EXPECT_FALSE(is_blank(text)) << text;
  }
  for (std::string_view blank : {"\u3000\u3000", "\u200b\u200b", "\ufeff", "\u3000\u200b\ufeff"}) {
    Intake in = valid();
    in.description = std::string(blank);
    auto r = validate_intake(in, at("2026-03-01"), false);
    ASSERT_FALSE(r) << blank;
    EXPECT_EQ(r.error().message, "description: is required");
    EXPECT_NE(r.error().message_zh.find("诉求内容"), std::string::npos) << r.error().message_zh;
  }
}

// Staff may date a letter's receipt back up to 366 days (a leap year), not a typo's year.
TEST(CaseIntake, ReceivedAtAtMost366DaysBack) {
  const Instant now = at("2026-03-01");
  Intake letter = valid();
  letter.channel = Channel::kLetter;
  for (int days : {1, 200, 366}) {
    letter.received_at = now - std::chrono::days(days);
    EXPECT_TRUE(validate_intake(letter, now, true)) << days << " days back";
  }
  for (std::chrono::seconds back :
       {std::chrono::seconds(std::chrono::days(366)) + std::chrono::seconds(1),
        std::chrono::seconds(std::chrono::days(367)),
        std::chrono::seconds(std::chrono::days(3650))}) {
    letter.received_at = now - back;
    auto r = validate_intake(letter, now, true);
    ASSERT_FALSE(r) << back.count() << " s back";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "received_at: is more than 366 days ago");
    EXPECT_NE(r.error().message_zh.find("366"), std::string::npos) << r.error().message_zh;
  }
}

// The text rules of notes and replies (check_text): newlines and tabs where multiline, never
// other control characters, C1 controls or the bidi overrides; a bounded length in characters.
TEST(CaseIntake, CheckTextRefusesControlsAndOverrides) {
  EXPECT_TRUE(check_text("note", "", kMaxNoteChars, false, true));
  EXPECT_TRUE(check_text("note", "第一行\n第二行\r\n\t缩进", kMaxNoteChars, false, true));
  EXPECT_FALSE(check_text("note", "第一行\n第二行", kMaxNoteChars, false, false));
  for (std::string_view bad :
       {"ring \x07 bell"sv, "nul \x00 byte"sv, "del \x7f"sv, "c1 \xC2\x85 next"sv,
        "\u202e\u6587\u4ef6.exe"sv, "\u202d override"sv}) {
    auto r = check_text("reply", bad, kMaxReplyChars, false, true);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, "reply: contains a control character");
    EXPECT_NE(r.error().message_zh.find("答复"), std::string::npos) << r.error().message_zh;
  }
  std::string note;
  for (std::size_t i = 0; i < kMaxNoteChars; ++i) note += "字";
  EXPECT_TRUE(check_text("note", note, kMaxNoteChars, false, true));
  auto long_note = check_text("note", note + "字", kMaxNoteChars, false, true);
  ASSERT_FALSE(long_note);
  EXPECT_EQ(long_note.error().message, "note: is longer than 2000 characters");
  EXPECT_FALSE(check_text("note", "\u3000", kMaxNoteChars, true, true)) << "blank but required";
}

TEST(CaseIntake, CaseNumbers) {
  EXPECT_EQ(format_case_number("360602", 2026, 123), "360602-2026-000123");
  EXPECT_EQ(format_case_number("360681", 2025, 1234567), "360681-2025-1234567");
}

TEST(CaseIntake, TrackingCodes) {
  std::array<std::uint8_t, 8> a{1, 2, 3, 4, 5, 6, 7, 8}, b{1, 2, 3, 4, 5, 6, 7, 9};
  std::string ca = make_tracking_code(a), cb = make_tracking_code(b);
  EXPECT_EQ(ca.size(), 14u);
  EXPECT_NE(ca, cb);
  EXPECT_EQ(normalize_tracking_code(ca), ca);
  std::string typed;
  for (char c : ca) {
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(normalize_tracking_code(typed), ca);
  EXPECT_EQ(normalize_tracking_code("OIL0-0000-0000"), "0110-0000-0000");
  EXPECT_FALSE(normalize_tracking_code("short"));
  EXPECT_FALSE(normalize_tracking_code("UUUU-UUUU-UUUU"));  // U is not in Crockford's alphabet
}

TEST(CaseIntake, Utf8Length) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("鹰潭"), 2u);
  EXPECT_EQ(utf8_length("😀"), 1u);
  EXPECT_FALSE(utf8_length("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(utf8_length("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(utf8_length("\xF4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace
}  // namespace jiceng::domain
