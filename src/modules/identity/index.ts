export { IdentityService, rolesLabel, type StaffPrincipal } from './identity.service.ts';
export { registerStaffIdentity, staffNavItems, type CatalogueRoute } from './identity.staff.routes.ts';
export {
  can,
  permissionsFor,
  ROLES,
  ROLE_LABELS,
  PERMISSIONS,
  type Role,
  type Permission,
} from './identity.policy.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { OidcAdapter, OidcError, type OidcSettings } from './oidc.ts';
export { unlockStaff } from './identity.repository.ts';
