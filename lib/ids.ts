import { z } from "zod";
import { issuesFromZod, NotFoundError, ValidationError } from "./errors";

/**
 * A row id (a uuid) in a verb's input schema. The message names the kind of row, and the field
 * is named by its key: `{ endpointId: idOf("endpoint") }` fails with
 * `endpointId: must be an endpoint id`; `idOf()` says "must be an id".
 */
export function idOf(what?: string) {
  const message = what
    ? `must be ${/^[aeiou]/i.test(what) ? "an" : "a"} ${what} id`
    : "must be an id";
  return z.uuid({ message });
}

/**
 * Parses the input of a verb that acts on the one record `input[field]` names (the id a URL path
 * or a row's button carries). A malformed id names no record, so it fails as an unknown id or
 * another organization's does: `NotFoundError(what)`, a 404 at the edge and the 404 page on a
 * page. Any other bad field is the usual ValidationError naming it.
 */
export function parseTargetInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  target: { field: string; notFound: string },
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  if (issues.some((i) => i.path.length === 1 && i.path[0] === target.field)) {
    throw new NotFoundError(target.notFound);
  }
  if (issues.some((i) => i.path.length === 0)) throw new NotFoundError(target.notFound);
  throw new ValidationError(issuesFromZod(result.error));
}

/** True when `s` is a uuid (what PostgreSQL's uuid type accepts in Beacon's ids). */
export function isUuid(s: string): boolean {
  return z.uuid().safeParse(s).success;
}
