import { z } from "zod";

/**
 * Shared zod building blocks for text and dates that reach the database. PostgreSQL rejects NUL in
 * text and a lone surrogate in jsonb (the audit row), and stores only some dates; a value it cannot
 * store must be a 422 naming the field, never a 500 from the database.
 */

export const NUL_MESSAGE = "must not contain NUL characters";
export const UNICODE_MESSAGE = "must be valid Unicode text";

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Adds the NUL and lone-surrogate checks to a string schema (keeping its own messages and limits):
 * `storable(z.string().trim().max(200))`.
 */
export function storable<S extends z.ZodString>(schema: S): S {
  return schema
    .refine((s) => !s.includes("\u0000"), { message: NUL_MESSAGE, abort: true })
    .refine((s) => !LONE_SURROGATE.test(s), { message: UNICODE_MESSAGE, abort: true }) as S;
}

/** Limits for strings that have no limit of their own. */
export const MAX_EMAIL = 320;
export const MAX_URL = 2048;
export const MAX_NAME = 200;

/** The dates Beacon accepts anywhere: from 2000-01-01 up to (not including) 2100-01-01, UTC. */
export const MIN_DATE = new Date("2000-01-01T00:00:00Z");
export const MAX_DATE = new Date("2100-01-01T00:00:00Z");
export const DATE_RANGE_MESSAGE = "must be between 2000-01-01 and 2100-01-01 (UTC)";

export function inDateRange(d: Date): boolean {
  const t = d.getTime();
  return Number.isFinite(t) && t >= MIN_DATE.getTime() && t < MAX_DATE.getTime();
}

/** A date and time (a Date or an ISO 8601 string) between 2000 and 2100. */
export function boundedDate(message = "must be a date and time (ISO 8601)") {
  return z.coerce.date({ message }).refine(inDateRange, { message: DATE_RANGE_MESSAGE });
}
