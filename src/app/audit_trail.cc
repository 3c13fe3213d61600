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
  if (!stored) return stored.error();
  return {};
}

}  // namespace jiceng::app
