export { registerAuthorityPortalRoutes, loadAccessibilityStatement } from './authorities.portal.routes.ts';
export { findAuthoritiesByCodeOrName, countAuthorities, insertAuthority } from './authorities.repository.ts';
