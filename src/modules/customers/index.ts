/**
 * The customers module's public surface: the staff routes, plus the normalisers and search function so
 * seeds, imports and benchmarks store and query customers exactly as the workspace does.
 */
export { registerCustomerStaffRoutes, type CustomerRoutesDeps } from './customers.staff.routes.ts';
export { CustomersService } from './customers.service.ts';
export {
  searchCustomers,
  customerSearchQuery,
  explainCustomerSearch,
  withSearchSettings,
  firstPass,
  type SearchPass,
  type CustomerSummaryRow,
} from './customers.repository.ts';
export {
  addressLabel,
  normaliseAddress,
  normaliseText,
  parseSearchQuery,
  searchNameOf,
  type SearchCriteria,
} from './customers.normalise.ts';
export { isRepeatContact, REPEAT_CONTACT_WINDOW_DAYS } from './customers.rules.ts';
export { scopeOf, canSeeCase, canSeeCustomer, type CustomerScope } from './customers.policy.ts';
