/**
 * Field errors at the form layer. Verbs name fields by their input path ("audienceOrgId",
 * "recipients.2.address"), which the API returns as they are; a form shows each error beside its
 * field in the words of the field's label ("Audience: …") and never shows a path. This module is
 * the shared, pure part: what the browser sent (to put it back after an error), which errors
 * belong to a field, and the words for a path no field of the form claims.
 */

/** What a form sent, by field name: every value (checkbox groups and multi-selects have many). */
export type FormValues = Record<string, string[]>;

/** Field errors as actions return them: path → reason ("scheduledUntil" → "must be after …"). */
export type FieldErrors = Record<string, string>;

/**
 * Inputs a form never gets back: framework internals, the page's organization, and passwords
 * (typed again rather than sent back over the wire).
 */
const NOT_KEPT = /^(\$ACTION|_org$)|password/i;

/** The submitted text values of a form (files and passwords are never kept). */
export function valuesFromFormData(form: FormData): FormValues {
  const values: FormValues = {};
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string" || NOT_KEPT.test(name)) continue;
    (values[name] ??= []).push(value);
  }
  return values;
}

/** Whether an error at `path` belongs to the field `name` (itself, or an item or part of it). */
export function pathBelongsTo(path: string, name: string): boolean {
  return path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);
}

/** The reasons given for the field `name` (or any part of it), in the order they came. */
export function errorsFor(fields: FieldErrors | undefined, name: string | undefined): string[] {
  if (!fields || !name) return [];
  return Object.entries(fields)
    .filter(([path]) => pathBelongsTo(path, name))
    .map(([, message]) => message);
}

/** "Audience: a Configurable incident is tenant-only" (reasons for one field joined once each). */
export function fieldErrorText(label: string, messages: string[]): string {
  return `${label}: ${[...new Set(messages)].join("; ")}`;
}

/**
 * Words for inputs that forms send hidden, so an error on one still reads as words. A form adds
 * or overrides entries with its own labels.
 */
export const HIDDEN_FIELD_LABELS: Record<string, string> = {
  "(body)": "This form",
  id: "This item",
  incidentId: "Incident",
  maintenanceId: "Maintenance",
  endpointId: "Endpoint",
  ruleId: "Rule",
  userId: "Member",
  keyId: "API key",
  token: "Link",
  code: "Link",
};

/**
 * The label for an error path: the longest label key the path belongs to, else words made from
 * the path itself ("recipients.2.address" → "Recipient 3, address"; "audienceOrgId" → "Audience
 * org"), never the raw key.
 */
export function labelForPath(path: string, labels: Record<string, string> = {}): string {
  const all = { ...HIDDEN_FIELD_LABELS, ...labels };
  const key = Object.keys(all)
    .filter((k) => pathBelongsTo(path, k))
    .sort((a, b) => b.length - a.length)[0];
  if (key !== undefined) return all[key]!;
  return humanizePath(path);
}

/** Words for a path nobody labelled. */
export function humanizePath(path: string): string {
  const parts: string[] = [];
  for (const seg of path.split(/[.[\]]+/).filter(Boolean)) {
    if (/^\d+$/.test(seg)) {
      // "recipients.2" reads as the third recipient.
      const prev = parts.pop() ?? "item";
      parts.push(`${prev.replace(/s$/, "")} ${Number(seg) + 1}`);
      continue;
    }
    const words = seg
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/[_-]+/g, " ")
      .toLowerCase()
      .replace(/ id$/, "")
      .trim();
    parts.push(words);
  }
  const text = parts.join(", ") || "This form";
  return text[0]!.toUpperCase() + text.slice(1);
}

/**
 * The errors no field of the form shows (their field is hidden, or the path names no field), in
 * the form's words: "Incident: must be the id of a incident".
 */
export function unclaimedErrors(
  fields: FieldErrors | undefined,
  claimed: readonly string[],
  labels: Record<string, string> = {},
): string[] {
  if (!fields) return [];
  const byLabel = new Map<string, string[]>();
  for (const [path, message] of Object.entries(fields)) {
    if (claimed.some((name) => pathBelongsTo(path, name))) continue;
    const label = labelForPath(path, labels);
    byLabel.set(label, [...(byLabel.get(label) ?? []), message]);
  }
  return [...byLabel].map(([label, messages]) => fieldErrorText(label, messages));
}

/** The line above a form whose errors are all shown beside their fields. */
export function claimedSummary(count: number): string {
  return count === 1
    ? "Please correct the field marked below."
    : `Please correct the ${count} fields marked below.`;
}
