#include "app/passwords.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace jiceng::app {
namespace {

namespace fs = std::filesystem;

// The cheapest argon2id parameters, for tests that do not measure cost.
const PasswordParams kFast{1, 8192};

// A file under /tmp, removed at the end of the test.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& text) {
    std::string pattern = (fs::temp_directory_path() / "jiceng_passwords_XXXXXX").string();
    int fd = ::mkstemp(pattern.data());
    ::close(fd);
    path_ = pattern;
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~ScratchFile() { fs::remove(path_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Passwords, HashIsArgon2idWithTheParametersAndAFreshSalt) {
  auto a = hash_password("correct horse battery", PasswordParams{});
  auto b = hash_password("correct horse battery", PasswordParams{});
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b);
  EXPECT_TRUE(a->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *a;
  EXPECT_NE(*a, *b);  // another salt
  EXPECT_TRUE(verify_password(*a, "correct horse battery"));
  EXPECT_TRUE(verify_password(*b, "correct horse battery"));
}

TEST(Passwords, VerifyRefusesWrongPasswordsAndMalformedHashes) {
  auto h = hash_password("密码是长城123", kFast);
  ASSERT_TRUE(h);
  EXPECT_TRUE(verify_password(*h, "密码是长城123"));
  EXPECT_FALSE(verify_password(*h, "密码是长城124"));
  EXPECT_FALSE(verify_password(*h, ""));
  EXPECT_FALSE(verify_password("", "密码是长城123"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=8,t=1,p=1$garbage", "x"));
  EXPECT_FALSE(verify_password(*h + std::string(200, 'A'), "密码是长城123"));
  std::string altered = *h;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(altered, "密码是长城123"));
}

TEST(Passwords, NeedsRehashWhenParametersOrAlgorithmDiffer) {
  auto h = hash_password("correct horse battery", kFast);
  ASSERT_TRUE(h);
  EXPECT_FALSE(needs_rehash(*h, kFast));
  EXPECT_TRUE(needs_rehash(*h, PasswordParams{}));
  EXPECT_TRUE(needs_rehash(*h, PasswordParams{2, 8192}));
  EXPECT_TRUE(needs_rehash("not a hash", kFast));
  EXPECT_TRUE(needs_rehash("", kFast));

  char argon2i[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_argon2i_str(argon2i, "pw", 2, 3, 8192), 0);
  EXPECT_TRUE(verify_password(argon2i, "pw"));
  EXPECT_TRUE(needs_rehash(argon2i, PasswordParams{3, 8192}));
}

TEST(Passwords, ParametersOutOfRangeAreRefused) {
  auto low_memory = hash_password("pw", PasswordParams{2, 1024});
  ASSERT_FALSE(low_memory);
  EXPECT_EQ(low_memory.error().code, ErrorCode::kInvalidArgument);
  auto no_passes = hash_password("pw", PasswordParams{0, 8192});
  ASSERT_FALSE(no_passes);
  EXPECT_EQ(no_passes.error().code, ErrorCode::kInvalidArgument);
}

// An unknown user costs about as much as a wrong password (S3).
// Measured in this thread's CPU time, not on the wall clock: other processes on a busy machine
// must not decide the outcome.
std::chrono::nanoseconds thread_cpu_time() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

TEST(Passwords, EqualizeTimingCostsAsMuchAsAVerify) {
  const PasswordParams params{};
  auto h = hash_password("correct horse battery", params);
  ASSERT_TRUE(h);
  equalize_timing(params);  // makes the dummy hash
  auto fastest = [](auto fn) {
    auto best = std::chrono::nanoseconds::max();
    for (int i = 0; i < 3; ++i) {
      auto start = thread_cpu_time();
      fn();
      best = std::min(best, thread_cpu_time() - start);
    }
    return best;
  };
  auto verify = fastest([&] { (void)verify_password(*h, "wrong password"); });
  auto equalize = fastest([&] { equalize_timing(params); });
  auto cheap = fastest([&] { (void)verify_password(*hash_password("x", kFast), "y"); });
  EXPECT_GT(equalize, verify / 2);
  EXPECT_LT(equalize, verify * 2);
  EXPECT_GT(equalize, cheap * 4);  // the measurement can tell cheap from costly
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
  PasswordPolicy policy({});
  auto seven = policy.check("七个汉字组成的", "user");  // 7 characters, 21 bytes
  ASSERT_FALSE(seven);
  EXPECT_EQ(seven.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(seven.error().message, "password: must have at least 8 characters");
  EXPECT_EQ(seven.error().message_zh, "密码（password）：至少需要 8 个字符");
  EXPECT_TRUE(policy.check("八个汉字组成的词", "user"));
  EXPECT_FALSE(policy.check("1234567", "user"));
  EXPECT_TRUE(policy.check("12345678", "user"));
}

TEST(PasswordPolicy, AcceptsLongPasswordsUpTo256Characters) {
  PasswordPolicy policy({});
  EXPECT_TRUE(policy.check(repeat("a", 64), "user"));
  EXPECT_TRUE(policy.check(repeat("\xF0\x9F\x94\x91", 256), "user"));  // 256 keys, 1024 bytes
  auto too_long = policy.check(repeat("a", 257), "user");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().message, "password: must have at most 256 characters");
  EXPECT_FALSE(too_long.error().message_zh.empty());
}

TEST(PasswordPolicy, NoCompositionRulesButValidUtf8) {
  PasswordPolicy policy({});
  EXPECT_TRUE(policy.check("all lower case words", "user"));
  EXPECT_TRUE(policy.check("        ", "user"));
  auto bad = policy.check("abcdefg\xFF", "user");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "password: is not valid UTF-8");
}

TEST(PasswordPolicy, RefusesTheUserName) {
  PasswordPolicy policy({});
  auto same = policy.check("ZhangSan2024", "zhangsan2024");
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().message, "password: must not be the user name");
  EXPECT_EQ(same.error().message_zh, "密码（password）：不能与用户名相同");
  EXPECT_TRUE(policy.check("zhangsan2025", "zhangsan2024"));
}

TEST(PasswordPolicy, RefusesBlockedPasswordsIgnoringCase) {
  PasswordPolicy policy({"Password1", "letmein!!"});
  EXPECT_EQ(policy.blocklist_size(), 2u);
  for (const char* pw : {"password1", "PASSWORD1", "LetMeIn!!"}) {
    auto r = policy.check(pw, "user");
    ASSERT_FALSE(r) << pw;
    EXPECT_EQ(r.error().message, "password: is too common; choose another");
    EXPECT_EQ(r.error().message_zh, "密码（password）：过于常见，请另选一个");
  }
  EXPECT_TRUE(policy.check("password2", "user"));
}

TEST(PasswordPolicy, LoadsOnePasswordPerLine) {
  ScratchFile file("hunter22\r\n\r\ntrustno1!\nLastLine");
  auto policy = PasswordPolicy::load(file.path());
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->blocklist_size(), 3u);
  EXPECT_TRUE(policy->blocked("HUNTER22"));
  EXPECT_TRUE(policy->blocked("trustno1!"));
  EXPECT_TRUE(policy->blocked("lastline"));
  EXPECT_FALSE(policy->blocked("hunter22\r"));
}

TEST(PasswordPolicy, LoadsAJsonArray) {
  ScratchFile file("\n [\"qwertyuiop\", \"Dragon123\"]\n");
  auto policy = PasswordPolicy::load(file.path());
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->blocklist_size(), 2u);
  EXPECT_TRUE(policy->blocked("dragon123"));
}

TEST(PasswordPolicy, LoadRefusesBadFiles) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"[\"a\", 1]", "an element is not a string"},
      {"[\"a\",", "not valid JSON"},
      {"", "holds no password"},
      {"\n\r\n", "holds no password"},
      {"[]", "holds no password"},
  };
  for (const Case& c : cases) {
    ScratchFile file(c.text);
    auto policy = PasswordPolicy::load(file.path());
    ASSERT_FALSE(policy) << c.text;
    EXPECT_EQ(policy.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(policy.error().message.find(c.error), std::string::npos) << policy.error().message;
    EXPECT_TRUE(policy.error().message.starts_with(file.path().string()));
  }
  auto missing = PasswordPolicy::load("/nonexistent/passwords.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
}

// The real list from the npm package (installed by scripts/install-deps).
TEST(PasswordPolicy, TheShippedBlocklistHoldsTheMostCommonPasswords) {
  fs::path path = default_blocklist_path(JICENG_SOURCE_DIR);
  EXPECT_EQ(path, fs::path(JICENG_SOURCE_DIR) /
                      "node_modules/@zxcvbn-ts/language-common/src/passwords.json");
  auto policy = PasswordPolicy::load(path);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_GE(policy->blocklist_size(), 10'000u);
  for (const char* pw : {"123456", "password", "qwerty", "12345678", "111111", "iloveyou",
                         "sunshine", "princess", "abc123"}) {
    EXPECT_TRUE(policy->blocked(pw)) << pw;
  }
  EXPECT_FALSE(policy->blocked("correct horse battery staple 基层"));
  EXPECT_FALSE(policy->check("iloveyou", "user"));
  EXPECT_FALSE(policy->check("Password", "user"));
  EXPECT_TRUE(policy->check("县里的枫树在十月变红", "user"));
}

}  // namespace
}  // namespace jiceng::app
