/**
 * Route options in one short call: who may use the route and the audit event the shared hook writes for
 * every request (`false`: the route shows or changes no personal data). See docs/audit.md.
 */
export function staffRoute(permission: string, auditEvent: string | false) {
  return { config: { permission, auditEvent } };
}
