#include "http/proxies.h"

#include <gtest/gtest.h>

namespace jiceng::http {
namespace {

namespace ip = boost::asio::ip;

ip::address a(const char* s) { return ip::make_address(s); }

std::string client(const char* peer, std::vector<std::string_view> xff, const char* trusted) {
  auto t = TrustedProxies::parse(trusted);
  EXPECT_TRUE(t) << trusted;
  auto c = forwarded_client(a(peer), xff, *t);
  return c ? client_text(*c) : "peer";
}

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
  auto t = TrustedProxies::parse("127.0.0.1, ::1 10.0.0.0/8,fd00::/8\t192.168.1.7/24\n");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->contains(a("127.0.0.1")));
  EXPECT_FALSE(t->contains(a("127.0.0.2")));
  EXPECT_TRUE(t->contains(a("::1")));
  EXPECT_TRUE(t->contains(a("10.200.3.4")));
  EXPECT_FALSE(t->contains(a("11.0.0.1")));
  EXPECT_TRUE(t->contains(a("fd12:3456::1")));
  EXPECT_FALSE(t->contains(a("fe80::1")));
  EXPECT_TRUE(t->contains(a("192.168.1.200")));    // the host part of a network is ignored
  EXPECT_TRUE(t->contains(a("::ffff:10.1.2.3")));  // IPv4 as a dual-stack socket sees it
  // A network of IPv4 addresses written as mapped IPv6 is that IPv4 network.
  auto mapped = TrustedProxies::parse("::ffff:10.0.0.0/104");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->contains(a("10.9.8.7")));
  EXPECT_TRUE(mapped->contains(a("::ffff:10.9.8.7")));
  EXPECT_FALSE(mapped->contains(a("11.0.0.1")));
  EXPECT_TRUE(TrustedProxies::parse("")->empty());
  for (const char* bad : {"localhost", "10.0.0.0/33", "1.2.3", "::1/129", "10.0.0.0/"}) {
    auto r = TrustedProxies::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

TEST(TrustedProxies, TheClientIsTheRightMostAddressNotAProxy) {
  // One proxy: it appended the address it saw.
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7"}, "127.0.0.1"), "203.0.113.7");
  // The client wrote its own X-Forwarded-For: the proxy's entry, the last, is the one believed.
  EXPECT_EQ(client("127.0.0.1", {"6.6.6.6, 203.0.113.7"}, "127.0.0.1"), "203.0.113.7");
  // Two proxies, both trusted: the entry before the inner one.
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7, 10.0.0.5"}, "127.0.0.1 10.0.0.0/8"), "203.0.113.7");
  // Several headers count as one list, in order.
  EXPECT_EQ(client("127.0.0.1", {"6.6.6.6", "203.0.113.7"}, "127.0.0.1"), "203.0.113.7");
  EXPECT_EQ(client("127.0.0.1", {"2001:db8::7"}, "127.0.0.1"), "[2001:db8::7]");
  // What the client wrote left of its own address is never read: garbage there changes nothing
  // (with nginx's $proxy_add_x_forwarded_for, the client's header comes first).
  EXPECT_EQ(client("127.0.0.1", {"unknown, 203.0.113.7"}, "127.0.0.1"), "203.0.113.7");
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7,,1.2.3.4"}, "127.0.0.1"), "1.2.3.4");
  EXPECT_EQ(client("127.0.0.1", {"x", "203.0.113.7, 10.0.0.5"}, "127.0.0.1 10.0.0.0/8"),
            "203.0.113.7");
  // Every entry a proxy: the left-most.
  EXPECT_EQ(client("127.0.0.1", {"10.0.0.9, 10.0.0.5"}, "127.0.0.1 10.0.0.0/8"), "10.0.0.9");
}

TEST(TrustedProxies, OtherwiseThePeer) {
  // Not from a trusted proxy: anyone can send the header.
  EXPECT_EQ(client("198.51.100.1", {"203.0.113.7"}, "127.0.0.1"), "peer");
  // None trusted, none given, or an entry that is not an address.
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7"}, ""), "peer");
  EXPECT_EQ(client("127.0.0.1", {}, "127.0.0.1"), "peer");
  // An entry the proxy wrote that is not an address: the chain cannot be read.
  EXPECT_EQ(client("127.0.0.1", {"unknown"}, "127.0.0.1"), "peer");
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7, unknown"}, "127.0.0.1"), "peer");
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7:443"}, "127.0.0.1"), "peer");
  EXPECT_EQ(client("127.0.0.1", {"203.0.113.7, 10.0.0.5, "}, "127.0.0.1 10.0.0.0/8"), "peer");
}

}  // namespace
}  // namespace jiceng::http
