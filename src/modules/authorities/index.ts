export { registerAuthorityPortalRoutes, loadAccessibilityStatement } from './authorities.portal.routes.ts';
export {
  findAuthoritiesByCodeOrName,
  countAuthorities,
  insertAuthority,
  teamPicker,
  findTeam,
} from './authorities.repository.ts';
