export { registerServicePortalRoutes } from './services.portal.routes.ts';
export {
  servicePicker,
  findServiceSummary,
  findServiceOfKind,
  workflowStatusLabel,
} from './services.repository.ts';
export {
  loadServiceDefinitions,
  parseServiceDefinition,
  type ServiceDefinition,
  type FormPage,
  type FormQuestion,
  type WorkflowStatus,
} from './definitions.ts';
export { answersInWords } from './services.answers.ts';
