/**
 * Which team a new case goes to. One function on purpose: routing rules (by location, answers, channel,
 * language) replace this body without touching `createCase`.
 */
import type { CaseService, CreateCaseInput } from './cases.types.ts';

/** Today: the service's owning team. */
export function chooseTeam(service: CaseService, _input: CreateCaseInput): string {
  return service.teamId;
}
