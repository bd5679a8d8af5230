import { z } from "zod";
import { valuesFromFormData, type FormValues } from "./form-errors";

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

/**
 * The database cannot be reached (or does not exist) right now: a 503 with Retry-After, never a
 * 500. `reason` is a short cause class safe to show anyone ("database unreachable: connection
 * refused"); the driver's own message, which may name hosts, stays in `cause` and the server log.
 */
export class DatabaseUnavailableError extends ServiceError {
  override readonly status = 503;
  override readonly code = "database_unavailable";
  constructor(
    public readonly reason: string,
    public readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(`The service is temporarily unavailable (${reason}); try again shortly`, options);
  }
}

const CAUSES: [codes: string[], cause: string][] = [
  [["ECONNREFUSED"], "database unreachable: connection refused"],
  [["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"], "database unreachable: host not found"],
  [["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN"], "database unreachable: no route to host"],
  [
    ["ECONNRESET", "EPIPE", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"],
    "database unreachable: connection lost",
  ],
  [["CONNECT_TIMEOUT", "ETIMEDOUT", "57014", "HEALTH_TIMEOUT"], "database timed out"],
  [["3D000"], "database does not exist"],
  [["28P01", "28000"], "database rejected the credentials"],
  [["57P01", "57P02", "57P03"], "database is starting up or shutting down"],
  [["53300"], "database has too many connections"],
];

/**
 * The cause class of a database failure ("database unreachable: connection refused"): what
 * /api/health and a 503 may say to anyone. It never carries the driver's message, which can name
 * hosts, users or databases. null: not a recognised database failure.
 */
export function databaseFailureCause(error: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof DatabaseUnavailableError) return e.reason;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      const hit = CAUSES.find(([codes]) => codes.includes(code));
      if (hit) return hit[1];
    }
    // Node reports a refused dual-stack connect as an AggregateError; drivers wrap in `cause`.
    const { errors, cause } = e as { errors?: unknown; cause?: unknown };
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
    queue.push(cause);
  }
  return null;
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

/** Every error answer of /api/v1 (toHttpResponse); the OpenAPI document describes it from this. */
export const ErrorBodySchema = z
  .object({
    error: z
      .object({
        /** Stable, for programs: validation_failed, unauthorized, forbidden, not_found, … */
        code: z.string(),
        /** For people. */
        message: z.string(),
        /** 422 only: each bad field, by its path in the request ("filters.minImpact", "(body)"). */
        fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      })
      .strict(),
  })
  .strict();
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export function toHttpResponse(err: unknown): Response {
  if (err instanceof ServiceError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err instanceof ValidationError) body.error.fields = err.issues;
    const headers: Record<string, string> = {};
    if (err instanceof RateLimitedError || err instanceof DatabaseUnavailableError)
      headers["retry-after"] = String(err.retryAfterSeconds);
    return Response.json(body, { status: err.status, headers });
  }
  // The database went away after start (refused, timed out, reset): a 503 to retry, not a 500.
  const cause = databaseFailureCause(err);
  console.error(err);
  if (cause) return toHttpResponse(new DatabaseUnavailableError(cause, 5, { cause: err }));
  return Response.json(
    { error: { code: "internal_error", message: "Something went wrong on our side" } },
    { status: 500 },
  );
}

/**
 * What a server action answers. A failure from a submitted form also carries what was sent
 * (`values`, passwords excepted) so the form shows it again, and a `formKey` new on every failure
 * so its fields take those values (selects and checkboxes included); see components/ui/action-form.
 */
export type ActionResult<T = undefined> = { ok: true; data: T; message?: string } | ActionFailure;

export interface ActionFailure {
  ok: false;
  error: string;
  fields?: Record<string, string>;
  values?: FormValues;
  formKey?: string;
}

export function toActionResult(err: unknown, form?: FormData): ActionFailure {
  const sent = form ? { values: valuesFromFormData(form), formKey: crypto.randomUUID() } : {};
  if (err instanceof ValidationError) {
    return {
      ok: false,
      error: err.message,
      fields: Object.fromEntries(err.issues.map((i) => [i.field, i.message])),
      ...sent,
    };
  }
  if (err instanceof ServiceError) return { ok: false, error: err.message, ...sent };
  console.error(err);
  return { ok: false, error: "Something went wrong on our side", ...sent };
}
