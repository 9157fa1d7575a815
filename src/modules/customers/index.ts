/**
 * The customers module's public surface: the staff routes, plus the normalisers and search function so
 * seeds, imports and benchmarks store and query customers exactly as the workspace does.
 */
export { registerCustomerStaffRoutes } from './customers.staff.routes.ts';
export { searchCustomers, explainCustomerSearch } from './customers.repository.ts';
export { normaliseAddress, parseSearchQuery, searchNameOf } from './customers.normalise.ts';
export { isRepeatContact } from './customers.rules.ts';
export { canSeeCase, type CustomerScope } from './customers.policy.ts';
export { communicationNeedLabels, languageAndNeeds } from './customers.presenters.ts';
