/**
 * Domain errors are values with a type. Domain code throws (or returns) these; one function in
 * `shared/http/problem.ts` turns them into RFC 9457 problem responses. Nothing here knows HTTP
 * beyond the status each kind maps to.
 */
export interface FieldError {
  /** JSON-pointer-like path of the field at fault, e.g. `answers/3/value` or `query/limit`. */
  readonly field: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: string;
  abstract readonly status: number;
  readonly title: string;

  constructor(
    title: string,
    readonly detail: string,
  ) {
    super(detail);
    this.title = title;
    this.name = new.target.name;
  }
}

/** The input is wrong; `fields` says where. */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
  readonly status = 400;
  constructor(
    detail: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super('Invalid request', detail);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
  readonly status = 401;
  constructor(detail = 'A valid bearer token is required.') {
    super('Unauthenticated', detail);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  readonly status = 403;
  constructor(detail = 'Your role may not do this.') {
    super('Forbidden', detail);
  }
}

/** Unknown, or not visible to this caller: the two are deliberately indistinguishable. */
export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  readonly status = 404;
  constructor(what: string) {
    super('Not found', `${what} was not found.`);
  }
}

/** The current state does not allow the action (double booking, not ready, already approved…). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  readonly status = 409;
  constructor(
    detail: string,
    readonly reason?: string,
  ) {
    super('Conflict', detail);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly kind = 'payload-too-large';
  readonly status = 413;
  constructor(detail: string) {
    super('Payload too large', detail);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = 'unsupported-media-type';
  readonly status = 415;
  constructor(detail = 'Send the body as application/json.') {
    super('Unsupported media type', detail);
  }
}

/** A service we depend on (Chime, Scheduler) failed; the caller may retry. Nothing was half-written. */
export class UpstreamError extends DomainError {
  readonly kind = 'upstream-unavailable';
  constructor(
    readonly service: string,
    detail: string,
    readonly status: 502 | 503 = 502,
  ) {
    super(status === 503 ? 'Service temporarily unavailable' : 'Upstream service failed', detail);
  }
}
