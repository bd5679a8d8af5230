import { getTableColumns, sql, type Table } from "drizzle-orm";
import { CasingCache } from "drizzle-orm/casing";
import { alertEndpoints, deliveries, type AlertEndpoint, type Delivery } from "@/db/schema";
import type { AlertItem, AlertMessage } from "@/lib/channels/message";
import type { CustomOutcome } from "./templates";

/**
 * What a sender holds of a claimed delivery, and the look-ups it shares across a batch. Claims come
 * from two places: the queue (claimDeliveries in queue.ts, for retries, resends and the Inngest
 * driver) and planning itself (the embedded driver claims what is due as it writes it; see
 * plan/index.ts). The column lists of both claims' raw SQL are derived from the Drizzle tables, and the
 * returned rows are read by the same derived names.
 */

/**
 * How long a claim without a driver instance (the Inngest driver's) may stay "sending" before the
 * sweeper assumes its sender died.
 */
export const LOCK_MS = 2 * 60 * 1000;

/**
 * How long an embedded driver instance's claims outlive its last heartbeat: its heartbeat renews
 * all of them at once (lib/alerts/leases.ts), and any instance takes them over once it is this
 * stale (lib/alerts/sweep.ts).
 */
export const LEASE_MS = 10_000;

/**
 * A delivery as a sender holds it: every column but the routing trace, which sending never reads
 * and which would otherwise be parsed for every row of every claim.
 */
export type ClaimedDelivery = Omit<Delivery, "trace">;

/**
 * What planning's claim carries of an endpoint besides its id and org (which are the delivery's
 * recipient_id and org_id).
 */
const ENDPOINT_KEYS = [
  "enabled",
  "disabledReason",
  "urlEncrypted",
  "secretEncrypted",
  "previousSecretEncrypted",
  "previousSecretExpiresAt",
] as const satisfies readonly (keyof AlertEndpoint)[];

/** What sending reads of an endpoint: where it points, how to sign, and whether it is still on. */
export type EndpointForSend = Pick<AlertEndpoint, "id" | "orgId" | (typeof ENDPOINT_KEYS)[number]>;

/** The same columns as a query builder selection, for reading endpoints outside a claim. */
export const ENDPOINT_FOR_SEND = {
  id: alertEndpoints.id,
  orgId: alertEndpoints.orgId,
  enabled: alertEndpoints.enabled,
  disabledReason: alertEndpoints.disabledReason,
  urlEncrypted: alertEndpoints.urlEncrypted,
  secretEncrypted: alertEndpoints.secretEncrypted,
  previousSecretEncrypted: alertEndpoints.previousSecretEncrypted,
  previousSecretExpiresAt: alertEndpoints.previousSecretExpiresAt,
} satisfies { [K in keyof EndpointForSend]: unknown };

/** Jobs and endpoints read once for a whole claimed batch instead of once per delivery. */
export interface PrepCache {
  jobs: Map<string, AlertItem>;
  endpoints: Map<string, EndpointForSend>;
  /** A job's message, rendered once for every delivery of the batch that carries it. */
  messages: Map<string, AlertMessage>;
  /** A tenant's custom wording of a job on a channel (lib/alerts/templates.ts), rendered once. */
  customs: Map<string, CustomOutcome>;
}

export function emptyPrepCache(): PrepCache {
  return { jobs: new Map(), endpoints: new Map(), messages: new Map(), customs: new Map() };
}

/**
 * A column's name in SQL, as the database client spells it: the schema's key in snake_case (the
 * client is opened with `casing: "snake_case"`, see db/client.ts) unless the column names itself.
 */
const casing = new CasingCache("snake_case");

/** Every column of `table` by its schema key, as named in SQL (and so as a raw row's key). */
function sqlNames<T extends Table>(table: T): { readonly [K in keyof T["_"]["columns"]]: string } {
  const names: Record<string, string> = {};
  for (const [key, column] of Object.entries(getTableColumns(table)))
    names[key] = casing.getColumnCasing(column);
  return names as { [K in keyof T["_"]["columns"]]: string };
}

/** The deliveries table's columns as named in SQL: `D.orgId` is "org_id". */
const D = sqlNames(deliveries);
/** The same for alert_endpoints. */
const E = sqlNames(alertEndpoints);

/** What every claim returns of a delivery. */
const COMMON_KEYS = [
  "id",
  "orgId",
  "channel",
  "recipientType",
  "recipientId",
  "destination",
  "idempotencyKey",
  "runAt",
  "maxAttempts",
  "incidentId",
  "createdAt",
] as const satisfies readonly (keyof ClaimedDelivery)[];

/** What a claim from the queue returns besides; planning knows these without reading them. */
const KNOWN_KEYS = [
  "jobId",
  "status",
  "lockedUntil",
  "lockedBy",
  "attempts",
  "providerId",
  "responseCode",
  "error",
  "digestId",
  "deliveredAt",
] as const satisfies readonly (keyof ClaimedDelivery)[];

/** Compiles only when T is never. */
type None<T extends never> = T;
// A column added to deliveries is claimed (or left out of ClaimedDelivery, like the trace), or
// this does not compile.
type _EveryColumnClaimed = None<
  Exclude<keyof ClaimedDelivery, (typeof COMMON_KEYS)[number] | (typeof KNOWN_KEYS)[number]>
>;

/** The columns a claim from the queue returns, mapped by toDelivery. */
export const CLAIMED_COLUMNS = sql.raw([...COMMON_KEYS, ...KNOWN_KEYS].map((k) => D[k]).join(", "));

const date = (v: unknown) => (v ? new Date(v as string) : null);

/**
 * What planning returns of a delivery it wrote already claimed (see plan/index.ts), read from `table`;
 * the rest is known to the planner (job, lock) or fixed (status "sending", attempt 1, no provider
 * response yet). Every column left out is one value fewer to parse per delivery of a fan-out.
 */
export const planClaimedColumns = (table: string) =>
  sql.raw(COMMON_KEYS.map((k) => `${table}.${D[k]}`).join(", "));

/** The columns a claim does not always read, supplied by the caller. */
type Known = Pick<ClaimedDelivery, (typeof KNOWN_KEYS)[number]>;

/**
 * A claimed delivery from a returned row and what the caller knows of it (see plannedClaim and
 * toDelivery). One literal, no spread: spreading a helper's result into it is many times slower
 * per row, which a large fan-out feels (figures in the README's benchmark section). The row's
 * keys are the columns' SQL names (D), so renaming a column in the schema renames them here.
 */
export function toClaimed(r: Record<string, unknown>, k: Known): ClaimedDelivery {
  return {
    id: r[D.id] as string,
    jobId: k.jobId,
    orgId: r[D.orgId] as string,
    channel: r[D.channel] as Delivery["channel"],
    recipientType: r[D.recipientType] as Delivery["recipientType"],
    recipientId: (r[D.recipientId] as string) ?? null,
    destination: r[D.destination] as string,
    idempotencyKey: r[D.idempotencyKey] as string,
    status: k.status,
    runAt: new Date(r[D.runAt] as string),
    lockedUntil: k.lockedUntil,
    lockedBy: k.lockedBy,
    attempts: k.attempts,
    maxAttempts: Number(r[D.maxAttempts]),
    providerId: k.providerId,
    responseCode: k.responseCode,
    error: k.error,
    incidentId: (r[D.incidentId] as string) ?? null,
    digestId: k.digestId,
    createdAt: new Date(r[D.createdAt] as string),
    deliveredAt: k.deliveredAt,
  };
}

/** What every delivery of one part of a planned claim shares; build it once per part. */
export function plannedClaim(jobId: string, lockedUntil: Date, lockedBy: string | null): Known {
  return {
    jobId,
    status: "sending",
    lockedUntil,
    lockedBy,
    attempts: 1,
    providerId: null,
    responseCode: null,
    error: null,
    digestId: null,
    deliveredAt: null,
  };
}

export function toDelivery(r: Record<string, unknown>): ClaimedDelivery {
  return toClaimed(r, {
    jobId: (r[D.jobId] as string) ?? null,
    status: r[D.status] as Delivery["status"],
    lockedUntil: date(r[D.lockedUntil]),
    lockedBy: (r[D.lockedBy] as string) ?? null,
    attempts: Number(r[D.attempts]),
    providerId: (r[D.providerId] as string) ?? null,
    responseCode: (r[D.responseCode] as number) ?? null,
    error: (r[D.error] as string) ?? null,
    digestId: (r[D.digestId] as string) ?? null,
    deliveredAt: date(r[D.deliveredAt]),
  });
}

/** Each endpoint column's alias in planning's claim: `EP.urlEncrypted` is "ep_url_encrypted". */
const EP = Object.fromEntries(ENDPOINT_KEYS.map((k) => [k, `ep_${E[k]}`])) as {
  readonly [K in (typeof ENDPOINT_KEYS)[number]]: string;
};

/**
 * The endpoint columns planning's claim carries along (aliased ep_*), so sending needs no second
 * query; `e` is the alert_endpoints row joined on the delivery's recipient_id and org_id, which
 * are therefore the endpoint's id and org.
 */
export const ENDPOINT_COLUMNS = sql.raw(
  ENDPOINT_KEYS.map((k) => `e.${E[k]} as ${EP[k]}`).join(", "),
);

export function toEndpoint(r: Record<string, unknown>): EndpointForSend | null {
  // url_encrypted is never null on an endpoint: null here means no endpoint was joined.
  if (r[EP.urlEncrypted] == null) return null;
  return {
    id: r[D.recipientId] as string,
    orgId: r[D.orgId] as string,
    enabled: Boolean(r[EP.enabled]),
    disabledReason: (r[EP.disabledReason] as string) ?? null,
    urlEncrypted: r[EP.urlEncrypted] as string,
    secretEncrypted: (r[EP.secretEncrypted] as string) ?? null,
    previousSecretEncrypted: (r[EP.previousSecretEncrypted] as string) ?? null,
    previousSecretExpiresAt: date(r[EP.previousSecretExpiresAt]),
  };
}
