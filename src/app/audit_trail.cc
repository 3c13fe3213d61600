#include "app/audit_trail.h"

#include "store/audit_repo.h"

namespace jiceng::app {

Result<void> record_audit(store::Sql& sql, Instant at, const AuditActor& who,
                          const AuditEvent& what, const RequestContext& ctx) {
  store::audit::Entry e{.at = at,
                        .actor = who.actor,
                        .role = who.role,
                        .action = what.action,
                        .object_type = what.object_type,
                        .object_id = what.object_id,
                        .purpose = ctx.purpose,
                        .outcome = what.outcome,
                        .remote = ctx.remote,
                        .request_id = ctx.request_id};
  auto stored = store::audit::append(sql, std::move(e));
  if (!stored) {
    // The request fails with it (A1). Retryable store failures keep their code; anything else
    // is the server's problem and its words stay in the log, not in the answer.
    ErrorCode code = stored.error().code;
    if (code == ErrorCode::kUnavailable || code == ErrorCode::kConflict) return stored.error();
    return Error::internal("audit log: " + stored.error().message);
  }
  return {};
}

}  // namespace jiceng::app
