export { registerAuthorityPortalRoutes } from './authorities.portal.routes.ts';
export {
  listAuthorities,
  findAuthoritiesByCodeOrName,
  countAuthorities,
  insertAuthority,
  teamPicker,
  findTeam,
} from './authorities.repository.ts';
