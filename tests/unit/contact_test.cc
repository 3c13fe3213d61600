// Contacts in their compared form: one person's number however it is written.
#include "domain/contact.h"

#include <gtest/gtest.h>

#include <string>

namespace jiceng::domain {
namespace {

struct Written {
  std::string_view contact;
  std::string_view normalized;
};

TEST(NormalizedContact, OneMobileHoweverWritten) {
  constexpr Written cases[] = {
      {"13800000021", "13800000021"},
      {"138 0000 0021", "13800000021"},
      {"138-0000-0021", "13800000021"},
      {"138.0000.0021", "13800000021"},
      {"(138) 0000 0021", "13800000021"},
      {"+86 13800000021", "13800000021"},
      {"+86-138-0000-0021", "13800000021"},
      {"+8613800000021", "13800000021"},
      {"0086 138 0000 0021", "13800000021"},
      {"8613800000021", "13800000021"},
      {"86 138 0000 0021", "13800000021"},
      {"  13800000021\t", "13800000021"},
      {"１３８ ００００ ００２１", "13800000021"},        // full-width, from a Chinese input method
      {"＋８６　１３８００００００２１", "13800000021"},  // with the ideographic space
  };
  for (const auto& [contact, want] : cases) {
    EXPECT_EQ(normalized_contact(contact), want) << contact;
  }
}

TEST(NormalizedContact, LandlinesKeepTheirAreaCodeWithItsTrunkZero) {
  constexpr Written cases[] = {
      {"0701-6221234", "07016221234"},
      {"(0701) 622 1234", "07016221234"},
      {"0701 6221234", "07016221234"},
      {"+86 701 622 1234", "07016221234"},     // abroad the trunk 0 is dropped
      {"+86 (0)701 622 1234", "07016221234"},  // or written in brackets
      {"0086 10 6512 3456", "01065123456"},    // Beijing
      {"010-65123456", "01065123456"},
  };
  for (const auto& [contact, want] : cases) {
    EXPECT_EQ(normalized_contact(contact), want) << contact;
  }
}

TEST(NormalizedContact, OnlyAnElevenDigitMobileLosesABare86) {
  // 86 without + is the country code only before a mobile; otherwise it is part of the number.
  EXPECT_EQ(normalized_contact("86123456"), "86123456");
  EXPECT_EQ(normalized_contact("8612800000021"), "8612800000021");  // 128… is no mobile
  EXPECT_EQ(normalized_contact("12345"), "12345");                  // the hotline itself
}

TEST(NormalizedContact, OtherCountriesKeepTheirCode) {
  EXPECT_EQ(normalized_contact("+1 212 555 1234"), "+12125551234");
  EXPECT_EQ(normalized_contact("001 212-555-1234"), "+12125551234");
  EXPECT_EQ(normalized_contact("+852 9123 4567"), "+85291234567");
  EXPECT_NE(normalized_contact("+852 9123 4567"), normalized_contact("9123 4567"));
}

TEST(NormalizedContact, EmailIsTrimmedAndLowerCased) {
  EXPECT_EQ(normalized_contact(" Li.Ming@QQ.com "), "li.ming@qq.com");
  EXPECT_EQ(normalized_contact("li.ming@qq.com"), normalized_contact("LI.MING@QQ.COM"));
  EXPECT_EQ(normalized_contact("ｌｉ＠ｑｑ．ｃｏｍ"), "li@qq.com");
  // Digits in an address do not make it a phone number (they used to: only digits counted).
  EXPECT_EQ(normalized_contact("13800000021@163.com"), "13800000021@163.com");
  EXPECT_NE(normalized_contact("13800000021@163.com"), normalized_contact("13800000021"));
}

TEST(NormalizedContact, OtherTextIsTrimmedWithOneSpaceBetweenWords) {
  EXPECT_EQ(normalized_contact(""), "");
  EXPECT_EQ(normalized_contact("   "), "");
  EXPECT_EQ(normalized_contact("　"), "");
  EXPECT_EQ(normalized_contact("WeChat  LiMing"), "wechat liming");
  EXPECT_EQ(normalized_contact("微信 李明"), "微信 李明");
  EXPECT_EQ(normalized_contact("+"), "+");
  EXPECT_EQ(normalized_contact("138 0000 0021 转 801"), "138 0000 0021 转 801");
}

// A contact someone could answer on: a phone number of 7 digits or more (also with an
// extension or a name after it), or an e-mail address.
TEST(ReachableContact, PhoneNumbersAndEmailAddresses) {
  for (std::string_view yes :
       {"13800000021", "138 0000 0021", "+86 138-0000-0021", "６２２１２３４",
        "0701-6221234 转 801", "李先生 13800000021", "li.ming@qq.com", " Li@Example.CN "}) {
    EXPECT_TRUE(reachable_contact(yes)) << yes;
  }
  for (std::string_view no : {"", "123", "abc", "12345", "微信 李明", "li@", "@qq.com", "li@qq",
                              "li@qq.", "li@@qq.com", "li ming@qq.com"}) {
    EXPECT_FALSE(reachable_contact(no)) << no;
  }
}

TEST(NormalizedContact, DifferentPeopleStayApart) {
  EXPECT_NE(normalized_contact("13800000021"), normalized_contact("13800000012"));
  EXPECT_NE(normalized_contact("0701-6221234"), normalized_contact("0701-6221243"));
  EXPECT_NE(normalized_contact("a@qq.com"), normalized_contact("b@qq.com"));
}

// A phone shared by a household must not make its members one person (repeat linking).
TEST(NamesAgree, OneNameHoweverSpacedButNotAnotherName) {
  EXPECT_TRUE(names_agree("张三", "张三"));
  EXPECT_TRUE(names_agree("张 三", "张三"));
  EXPECT_TRUE(names_agree("张\u3000三", " 张三 "));
  EXPECT_TRUE(names_agree("Li Ming", "li ming"));
  EXPECT_TRUE(names_agree("ＬＩ　ＭＩＮＧ", "LiMing"));
  EXPECT_TRUE(names_agree("", "张三")) << "a name not recorded says nothing";
  EXPECT_TRUE(names_agree("张三", " "));
  EXPECT_FALSE(names_agree("张三", "李四"));
  EXPECT_FALSE(names_agree("张三", "张三丰"));
  EXPECT_FALSE(names_agree("Li Ming", "Li Min"));
  // The dot between the parts of a name, however typed, or left out.
  for (std::string_view written : {"买买提•艾力", "买买提.艾力", "买买提・艾力", "买买提．艾力",
                                   "买买提艾力", "买买提 · 艾力", "买买提‧艾力", "买买提･艾力"}) {
    EXPECT_TRUE(names_agree("买买提·艾力", written)) << written;
    EXPECT_TRUE(same_name("买买提·艾力", written)) << written;
  }
  EXPECT_FALSE(names_agree("买买提·艾力", "买买提·艾山"));
}

// Sharing a reply wants both names given: a call without a name is not the named person.
TEST(SameName, BothGivenAndAlike) {
  EXPECT_TRUE(same_name("张 三", "张三"));
  EXPECT_FALSE(same_name("", "张三"));
  EXPECT_FALSE(same_name("张三", " "));
  EXPECT_FALSE(same_name("", ""));
  EXPECT_FALSE(same_name("·", "."));
  EXPECT_FALSE(same_name("张三", "李四"));
}

}  // namespace
}  // namespace jiceng::domain
