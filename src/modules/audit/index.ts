/** Audit-log search for auditors (`/staff/audit`). Writing audit rows is `platform/audit`. See README.md. */
export { registerAuditRoutes, type AuditRoutesDeps } from './audit.staff.routes.ts';
export { searchAuditLog, AUDIT_PAGE_SIZE, type AuditSearchResult } from './audit.service.ts';
