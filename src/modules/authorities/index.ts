export { registerAuthorityPortalRoutes } from './authorities.portal.routes.ts';
export { listAuthorities } from './authorities.repository.ts';
