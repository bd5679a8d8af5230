import { z } from "zod";

/** Typed service errors, thrown by lib/ verbs and mapped once at the edge. */
export class ServiceError extends Error {
  readonly status: number = 500;
  readonly code: string = "internal_error";
}

export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends ServiceError {
  override readonly status = 422;
  override readonly code = "validation_failed";
  constructor(public readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join("; "));
  }
}

export class UnauthorizedError extends ServiceError {
  override readonly status = 401;
  override readonly code = "unauthorized";
  constructor(message = "Authentication required") {
    super(message);
  }
}

export class ForbiddenError extends ServiceError {
  override readonly status = 403;
  override readonly code = "forbidden";
  constructor(message = "You do not have permission to do this") {
    super(message);
  }
}

export class NotFoundError extends ServiceError {
  override readonly status = 404;
  override readonly code = "not_found";
  constructor(what = "Resource") {
    super(`${what} not found`);
  }
}

export class ConflictError extends ServiceError {
  override readonly status = 409;
  override readonly code = "conflict";
}

export class RateLimitedError extends ServiceError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export function issuesFromZod(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : "(body)",
    message: i.message,
  }));
}

/** Parses verb input; a bad value becomes a ValidationError naming each field and its reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(issuesFromZod(result.error));
  return result.data;
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldIssue[] };
}

export function toHttpResponse(err: unknown): Response {
  if (err instanceof ServiceError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err instanceof ValidationError) body.error.fields = err.issues;
    const headers: Record<string, string> = {};
    if (err instanceof RateLimitedError) headers["retry-after"] = String(err.retryAfterSeconds);
    return Response.json(body, { status: err.status, headers });
  }
  console.error(err);
  return Response.json(
    { error: { code: "internal_error", message: "Something went wrong on our side" } },
    { status: 500 },
  );
}

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; error: string; fields?: Record<string, string> };

export function toActionResult(err: unknown): {
  ok: false;
  error: string;
  fields?: Record<string, string>;
} {
  if (err instanceof ValidationError) {
    return {
      ok: false,
      error: err.message,
      fields: Object.fromEntries(err.issues.map((i) => [i.field, i.message])),
    };
  }
  if (err instanceof ServiceError) return { ok: false, error: err.message };
  console.error(err);
  return { ok: false, error: "Something went wrong on our side" };
}
