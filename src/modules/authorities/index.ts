export { registerAuthorityPortalRoutes, loadAccessibilityStatement } from './authorities.portal.routes.ts';
export {
  findAuthoritiesByCodeOrName,
  countAuthorities,
  insertAuthority,
  teamPicker,
  findTeam,
  fallbackAuthorityId,
} from './authorities.repository.ts';
