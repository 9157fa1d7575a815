/**
 * A small error taxonomy with stable codes. One handler (in app.ts) turns them into GOV.UK error pages
 * for browsers and JSON for the API; internals are never shown.
 */
export type ErrorCode =
  'not_found' | 'forbidden' | 'validation' | 'conflict' | 'domain_rule' | 'csrf' | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', 404, message);
  }
}

/** Use for actions a user may know exist but may not perform; for records they may not see, use NotFoundError. */
export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super('forbidden', 403, message);
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(readonly fields: FieldError[]) {
    super('validation', 400, fields.map((f) => f.message).join('; '));
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}

export class DomainRuleError extends AppError {
  constructor(message: string) {
    super('domain_rule', 422, message);
  }
}

export class CsrfError extends AppError {
  constructor() {
    super('csrf', 403, 'The form was out of date');
  }
}
