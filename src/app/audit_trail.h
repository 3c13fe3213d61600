// Writing the audit log from use cases: one entry per state-changing command and per read of a
// person's record, in the same transaction as the change or the read (TESTS.md A1, A4). The
// entry names who, what and which object, never the personal data itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "domain/access.h"
#include "store/sql.h"

namespace jiceng::app {

// Where a request came from, for the audit log.
struct RequestContext {
  std::string remote{};      // the client's address (IP, without the port)
  std::string request_id{};  // the correlation id of the HTTP exchange
  std::string purpose{};     // the stated purpose of a read of personal data, where asked
};

// Who an entry names: a principal, or a name without one ("anonymous", "system", or the
// username a failed sign-in typed).
struct AuditActor {
  std::string actor;
  std::string role;  // "" when there is no principal

  static AuditActor of(const domain::Principal& p) {
    return {p.actor(), std::string(domain::to_string(p.role))};
  }
  static AuditActor of(const std::optional<domain::Principal>& p, std::string_view otherwise) {
    return p ? of(*p) : AuditActor{std::string(otherwise), ""};
  }
};

struct AuditEvent {
  std::string action;  // "case.read", "case.accept", "session.login", …
  std::string object_type{};
  std::string object_id{};
  std::string outcome = "ok";
};

// Appends the entry inside the caller's write transaction; its error must fail the transaction.
[[nodiscard]] Result<void> record_audit(store::Sql& sql, Instant at, const AuditActor& who,
                                        const AuditEvent& what, const RequestContext& ctx);

}  // namespace jiceng::app
