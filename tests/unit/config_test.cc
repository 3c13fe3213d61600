#include "cli/config.h"

#include <gtest/gtest.h>

namespace jiceng::cli {
namespace {

TEST(Config, TomlThenEnvironmentOverride) {
  Config c;
  ASSERT_TRUE(apply_toml(c,
                         "[server]\nlisten = \"0.0.0.0:9000\"\nworker_threads = 8\n"
                         "[database]\nurl = \"sqlite:/tmp/a.db\"\n",
                         "t.toml"));
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.worker_threads, 8);
  EXPECT_EQ(c.db, "sqlite:/tmp/a.db");
  ASSERT_TRUE(apply_env(c, {{"JICENG_DB", "postgresql://x@h/db"},
                            {"JICENG_SERVER_WORKER_THREADS", "4"},
                            {"JICENG_TEST_PG", "ignored"},
                            {"PATH", "/bin"}}));
  EXPECT_EQ(c.db, "postgresql://x@h/db");
  EXPECT_EQ(c.worker_threads, 4);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
}

// The Open311 limits (docs/CONFIG.md): 0 turns a limit off; the window is at least a second.
TEST(Config, Open311Limits) {
  Config c;
  EXPECT_EQ(c.open311_window_s, 60);
  EXPECT_EQ(c.open311_posts_per_key, 120);
  EXPECT_EQ(c.open311_gets_per_address, 600);
  ASSERT_TRUE(apply_toml(c, "[open311]\nwindow_s = 10\nposts_per_key = 0\n", "t.toml"));
  EXPECT_EQ(c.open311_window_s, 10);
  EXPECT_EQ(c.open311_posts_per_key, 0);
  ASSERT_TRUE(apply_env(c, {{"JICENG_OPEN311_GETS_PER_ADDRESS", "30"}}));
  EXPECT_EQ(c.open311_gets_per_address, 30);
  EXPECT_FALSE(apply_toml(c, "[open311]\nwindow_s = 0\n", "t.toml"));
  EXPECT_FALSE(apply_env(c, {{"JICENG_OPEN311_POSTS_PER_KEY", "-1"}}));
}

TEST(Config, ErrorsNameTheKey) {
  struct Case {
    const char* toml;
    const char* mentions;
  } cases[] = {
      {"[server]\nlistne = \"x\"\n", "server.listne"},
      {"[server]\nworker_threads = 0\n", "server.worker_threads"},
      {"[server]\nworker_threads = \"8\"\n", ""},  // strings are parsed: accepted
      {"[server]\nlisten = [1]\n", "server.listen"},
      {"listen = \"x\"\n", "listen"},
      {"[server\n", "t.toml:1"},
      {"[server]\ntrusted_proxies = \"127.0.0.1, proxy.local\"\n", "proxy.local"},
      {"[server]\ntrusted_proxies = \"127.0.0.1, ::1, 10.0.0.0/8\"\n", ""},
  };
  for (const auto& k : cases) {
    Config c;
    auto r = apply_toml(c, k.toml, "t.toml");
    if (std::string_view(k.mentions).empty()) {
      EXPECT_TRUE(r) << k.toml;
      continue;
    }
    ASSERT_FALSE(r) << k.toml;
    EXPECT_NE(r.error().message.find(k.mentions), std::string::npos) << r.error().message;
  }
  Config c;
  auto typo = apply_env(c, {{"JICENG_DATABASE_RUL", "x"}});
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("JICENG_DATABASE_RUL"), std::string::npos);
  auto range = apply_env(c, {{"JICENG_SERVER_IO_THREADS", "-1"}});
  ASSERT_FALSE(range);
}

TEST(Config, ListenAddress) {
  auto a = parse_listen("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto v6 = parse_listen("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad : {"8080", ":8080", "host:", "host:65536", "host:x"}) {
    EXPECT_FALSE(parse_listen(bad)) << bad;
  }
}

}  // namespace
}  // namespace jiceng::cli
