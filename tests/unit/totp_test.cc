#include "app/totp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

namespace jiceng::app {
namespace {

using std::chrono::seconds;

// RFC 6238 Appendix B: the SHA-1 key is the ASCII "12345678901234567890".
constexpr std::string_view kRfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

Instant at(std::int64_t unix_seconds) { return Instant(seconds(unix_seconds)); }

TEST(Totp, Rfc6238Sha1Vectors) {
  struct Case {
    std::int64_t time;
    const char* eight_digits;  // as printed in the RFC; 6 digits are its last 6
  };
  const Case cases[] = {{59, "94287082"},         {1111111109, "07081804"},
                        {1111111111, "14050471"}, {1234567890, "89005924"},
                        {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const Case& c : cases) {
    std::string six = std::string(c.eight_digits).substr(2);
    EXPECT_EQ(totp_code(kRfcSecret, at(c.time)), six) << c.time;
    EXPECT_TRUE(totp_valid(kRfcSecret, six, at(c.time), 0)) << c.time;
  }
  EXPECT_EQ(totp_code(kRfcSecret, at(59)), "287082");
  EXPECT_EQ(totp_code(kRfcSecret, at(1111111109)), "081804");
  EXPECT_EQ(totp_code(kRfcSecret, at(1234567890)), "005924");
  EXPECT_EQ(totp_code(kRfcSecret, at(2000000000)), "279037");
}

TEST(Totp, StepsAreThirtySecondsLong) {
  EXPECT_EQ(totp_code(kRfcSecret, at(30)), "287082");
  EXPECT_NE(totp_code(kRfcSecret, at(29)), "287082");
  EXPECT_EQ(totp_code(kRfcSecret, at(59) + std::chrono::microseconds(999'999)), "287082");
  EXPECT_NE(totp_code(kRfcSecret, at(60)), "287082");
}

TEST(Totp, SecretsAcceptLowerCaseSpacesAndPadding) {
  EXPECT_EQ(totp_code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", at(59)), "287082");
  EXPECT_EQ(totp_code("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", at(59)), "287082");
  const std::string unpadded = totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY", at(59));  // 16 bytes
  EXPECT_EQ(unpadded.size(), 6u);
  EXPECT_EQ(totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY======", at(59)), unpadded);
  EXPECT_NE(unpadded, "287082");
}

TEST(Totp, WindowAcceptsNeighbouringStepsOnly) {
  const Instant now = at(1234567890);
  const std::int64_t step = 1234567890 / 30;
  const std::string before = totp_code(kRfcSecret, now - seconds(30));
  const std::string after = totp_code(kRfcSecret, now + seconds(30));
  const std::string two_before = totp_code(kRfcSecret, now - seconds(60));
  EXPECT_EQ(totp_matched_step(kRfcSecret, "005924", now), step);
  EXPECT_EQ(totp_matched_step(kRfcSecret, before, now), step - 1);
  EXPECT_EQ(totp_matched_step(kRfcSecret, after, now), step + 1);
  EXPECT_TRUE(totp_valid(kRfcSecret, before, now));
  EXPECT_TRUE(totp_valid(kRfcSecret, after, now));
  EXPECT_FALSE(totp_valid(kRfcSecret, before, now, 0));
  EXPECT_FALSE(totp_valid(kRfcSecret, two_before, now));
  EXPECT_TRUE(totp_valid(kRfcSecret, two_before, now, 2));
  EXPECT_FALSE(totp_valid(kRfcSecret, "005924", now + seconds(120)));
}

TEST(Totp, MalformedInputIsRefused) {
  const Instant now = at(59);
  for (std::string_view code : {"28708", "2870820", "28708a", " 87082", "", "２８７０８２"}) {
    EXPECT_FALSE(totp_valid(kRfcSecret, code, now)) << code;
  }
  for (std::string_view secret : {"", "1!", "GEZDGNBV GY3TQOJ0", "GEZDG=NBV"}) {
    EXPECT_FALSE(totp_valid(secret, "287082", now)) << secret;
    EXPECT_EQ(totp_code(secret, now), "") << secret;
  }
  EXPECT_FALSE(totp_valid(kRfcSecret, "287082", now, -1));
  EXPECT_FALSE(totp_valid(kRfcSecret, "287082", at(-1)));
  EXPECT_EQ(totp_code(kRfcSecret, at(-1)), "");
  EXPECT_FALSE(totp_valid(kRfcSecret, "123456", now));
}

TEST(Totp, NewSecretsAre160RandomBits) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    std::string s = new_totp_secret();
    ASSERT_EQ(s.size(), 32u) << s;
    EXPECT_EQ(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos) << s;
    seen.insert(s);
    const Instant now = at(1'700'000'000);
    std::string code = totp_code(s, now);
    ASSERT_EQ(code.size(), 6u);
    EXPECT_TRUE(totp_valid(s, code, now));
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(Totp, OtpauthUriEncodesIssuerAndAccount) {
  EXPECT_EQ(otpauth_uri("jiceng", "zhangsan", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/jiceng:zhangsan?secret=JBSWY3DPEHPK3PXP&issuer=jiceng"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("基层 Gov", "li.si@example.cn", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/%E5%9F%BA%E5%B1%82%20Gov:li.si%40example.cn?secret=JBSWY3DPEHPK3PXP"
            "&issuer=%E5%9F%BA%E5%B1%82%20Gov&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("a:b&c", "x?y", "S"),
            "otpauth://totp/a%3Ab%26c:x%3Fy?secret=S&issuer=a%3Ab%26c"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace jiceng::app
