export { registerStaffPush } from './identity.push.routes.ts';
export { IdentityService, type StaffPrincipal } from './identity.service.ts';
export { StaffAccounts, AccountSetupError } from './identity.accounts.ts';
export { runAdminCli } from './identity.cli.ts';
export {
  registerStaffIdentity,
  staffHomePanels,
  staffNavItems,
  type StaffHomePanel,
} from './identity.staff.routes.ts';
export { ROLES, type Role } from './identity.policy.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { OidcAdapter } from './oidc.ts';
export { staffPicker, activeStaffMember } from './identity.pickers.ts';
export { authorityScope, isManager } from './identity.scope.ts';
export { purgeExpiredKeptAnswers } from './identity.pending-answers.ts';
