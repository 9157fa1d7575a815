export {
  IdentityService,
  rolesLabel,
  lockMinutesFor,
  type StaffPrincipal,
  type StaffListEntry,
} from './identity.service.ts';
export {
  StaffAccounts,
  AccountSetupError,
  PASSWORD_LINK_HOURS,
  type CreatedAdministrator,
} from './identity.accounts.ts';
export { runAdminCli, ADMIN_USAGE } from './identity.cli.ts';
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
export { staffPicker, activeStaffMember, type StaffChoice } from './identity.pickers.ts';
export { authorityScope, isManager } from './identity.scope.ts';
