#include "cli/audit_commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "app/audit.h"
#include "common/date.h"
#include "store/migrations.h"

namespace jiceng::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kIntact = 0;
constexpr int kTampered = 1;
constexpr int kVerifyError = 2;

Result<std::unique_ptr<store::Database>> open_store(const Config& config) {
  auto db = store::open_database(config.db);
  if (!db) return db.error();
  if (auto applied = store::migrate(**db); !applied) return applied.error();
  return db;
}

// The first line of the .pub file beside key_file; nullopt when there is none.
std::optional<std::string> trusted_public_key(const std::string& key_file) {
  std::ifstream in(app::audit_public_key_path(key_file));
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// Fills the heads file and key of `options`; prints what will not be checked.
void choose_heads_and_key(const AuditPaths& paths, const std::optional<std::string>& heads_file,
                          app::VerifyOptions& options) {
  std::error_code ec;
  if (heads_file) {
    options.heads_file = *heads_file;
  } else if (fs::exists(paths.heads_file, ec)) {
    options.heads_file = paths.heads_file;
  } else {
    fmt::print(
        "warning: no signed heads file at {}: a truncated or rewritten log cannot be detected "
        "(run `jiceng audit anchor` periodically)\n",
        paths.heads_file);
  }
  options.public_key = trusted_public_key(paths.key_file);
}

void print_signed_head(const app::VerifyReport& report, const AuditPaths& paths) {
  if (!report.signed_head) return;
  const app::SignedHead& h = *report.signed_head;
  fmt::print("signed head: entry {} signed at {}\n", h.seq, h.at);
  if (report.key_from_heads_file) {
    fmt::print(
        "warning: {} not found, so the signature was checked with the key written in the heads "
        "file itself, which proves nothing against someone who can rewrite that file\n",
        app::audit_public_key_path(paths.key_file).string());
  } else {
    fmt::print("public key: {}\n", app::audit_public_key_path(paths.key_file).string());
  }
}

}  // namespace

int audit_verify(const Config& config, const AuditPaths& paths,
                 std::optional<std::string> heads_file) {
  auto db = open_store(config);
  if (!db) {
    fmt::print(stderr, "jiceng: {}\n", db.error().message);
    return kVerifyError;
  }
  app::VerifyOptions options;
  choose_heads_and_key(paths, heads_file, options);
  auto report = app::verify_audit(**db, options);
  if (!report) {
    fmt::print(stderr, "jiceng: {}\n", report.error().message);
    return kVerifyError;
  }
  fmt::print("audit log: {} entries checked\n", report->entries_checked);
  print_signed_head(*report, paths);
  if (report->intact()) {
    if (report->last_seq == 0) {
      fmt::print("intact: the log is empty\n");
    } else {
      fmt::print("intact: every entry up to {} chains correctly\n", report->last_seq);
    }
    return kIntact;
  }
  const app::AuditProblem& p = *report->problem;
  fmt::print("TAMPERED at entry {} ({}): {}\n", p.seq, app::to_string(p.kind), p.message);
  return kTampered;
}

int audit_anchor(const Config& config, const AuditPaths& paths) {
  auto fail = [](const Error& e) {
    fmt::print(stderr, "jiceng: {}\n", e.message);
    return 1;
  };
  auto key = app::load_or_create_audit_key(paths.key_file);
  if (!key) return fail(key.error());
  auto db = open_store(config);
  if (!db) return fail(db.error());
  SystemClock clock;
  auto head = app::anchor_audit_head(**db, *key, paths.heads_file, clock.now());
  if (!head) return fail(head.error());
  fmt::print("signed head: entry {} (hash {}) at {}, in {}\n", head->seq, head->hash, head->at,
             paths.heads_file);
  return 0;
}

}  // namespace jiceng::cli
