export { registerServicePortalRoutes } from './services.portal.routes.ts';
export {
  searchServices,
  listActiveServices,
  findServiceBySlug,
  servicePicker,
  findServiceSummary,
  findServiceOfKind,
} from './services.repository.ts';
export {
  loadServiceDefinitions,
  parseServiceDefinition,
  ServiceDefinitionError,
  type ServiceDefinition,
  type FormPage,
  type FormQuestion,
  type QuestionOption,
  type QuestionType,
  type WorkflowStatus,
} from './definitions.ts';
