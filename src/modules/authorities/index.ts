export { registerAuthorityPortalRoutes, loadAccessibilityStatement } from './authorities.portal.routes.ts';
export {
  listAuthorities,
  findAuthoritiesByCodeOrName,
  countAuthorities,
  insertAuthority,
} from './authorities.repository.ts';
