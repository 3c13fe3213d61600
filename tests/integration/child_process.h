// The `jiceng` binary as a child process for the tests that run it as a user would: its stdout
// and stderr in files, its stdin from a string, and only the JICENG_ settings the test gives.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace jiceng::testing {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;  // exit code
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child process with stdout and stderr sent to files in `dir`, and `input` as its stdin.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& dir,
        std::vector<std::string> env = {}, const std::string& input = {})
      : out_(dir / ("out_" + std::to_string(counter_))),
        err_(dir / ("err_" + std::to_string(counter_))) {
    fs::path in = dir / ("in_" + std::to_string(counter_));
    std::ofstream(in) << input;
    ++counter_;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    std::vector<char*> argv;
    std::string bin = JICENG_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
      if (!std::string_view(*e).starts_with("JICENG_")) envs.emplace_back(*e);
    }
    // The common-password list of the source tree's node_modules (the server needs one).
    envs.push_back(
        "JICENG_ACCESS_PASSWORD_BLOCKLIST=" +
        (fs::path(JICENG_SOURCE_DIR) / "node_modules/@zxcvbn-ts/language-common/src/passwords.json")
            .string());
    // The tests' load comes from one address: the per-address limits on public submissions
    // and sign-ups (access.*) would refuse it. A test's own env may set them again.
    envs.emplace_back("JICENG_ACCESS_SUBMISSIONS_PER_ADDRESS=0");
    envs.emplace_back("JICENG_ACCESS_SIGNUPS_PER_ADDRESS=0");
    for (auto& e : env) envs.push_back(e);
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  Outcome wait() {
    int st = 0;
    ::waitpid(pid_, &st, 0);
    waited_ = true;
    return {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp(out_), slurp(err_)};
  }
  // Waits until stderr contains `text`, at most `limit`.
  bool wait_for_stderr(std::string_view text, std::chrono::seconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (slurp(err_).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::string err() const { return slurp(err_); }
  // The port of a `jiceng serve --listen 127.0.0.1:0` child, once it listens (at most a
  // minute); 0 when it did not come up.
  std::uint16_t listening_port() {
    constexpr std::string_view kSaid = "listening on 127.0.0.1:";
    if (!wait_for_stderr(kSaid, std::chrono::seconds(60))) return 0;
    const std::string text = err();
    return static_cast<std::uint16_t>(std::stoi(text.substr(text.find(kSaid) + kSaid.size())));
  }

 private:
  static inline int counter_ = 0;
  fs::path out_, err_;
  pid_t pid_ = -1;
  bool waited_ = false;
};

// An integer from the environment (a test's rounds or seed), or `fallback` when unset.
inline int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

}  // namespace jiceng::testing
