/** Audit-log search for auditors (`/staff/audit`). Writing audit rows is `platform/audit`. See README.md. */
export { registerAuditRoutes } from './audit.staff.routes.ts';
