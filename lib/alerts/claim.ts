import { sql } from "drizzle-orm";
import { alertEndpoints, type AlertEndpoint, type Delivery } from "@/db/schema";
import type { AlertItem, AlertMessage } from "@/lib/channels/message";

/**
 * What a sender holds of a claimed delivery, and the look-ups it shares across a batch. Claims come
 * from two places: the queue (claimDeliveries, for retries, resends and the Inngest driver) and
 * planning itself (the embedded driver claims what is due as it writes it; see plan.ts).
 */

/** How long a claimed delivery may stay "sending" before the sweeper assumes its sender died. */
export const LOCK_MS = 2 * 60 * 1000;

/**
 * A delivery as a sender holds it: every column but the routing trace, which sending never reads
 * and which would otherwise be parsed for every row of every claim.
 */
export type ClaimedDelivery = Omit<Delivery, "trace">;

/** What sending reads of an endpoint: where it points, how to sign, and whether it is still on. */
export type EndpointForSend = Pick<
  AlertEndpoint,
  | "id"
  | "orgId"
  | "enabled"
  | "disabledReason"
  | "urlEncrypted"
  | "secretEncrypted"
  | "previousSecretEncrypted"
  | "previousSecretExpiresAt"
>;

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
};

/** Jobs and endpoints read once for a whole claimed batch instead of once per delivery. */
export interface PrepCache {
  jobs: Map<string, AlertItem>;
  endpoints: Map<string, EndpointForSend>;
  /** A job's message, rendered once for every delivery of the batch that carries it. */
  messages: Map<string, AlertMessage>;
}

export function emptyPrepCache(): PrepCache {
  return { jobs: new Map(), endpoints: new Map(), messages: new Map() };
}

/** What every claim returns of a delivery (raw SQL, snake_case). */
const COMMON_COLUMNS = [
  "id",
  "org_id",
  "channel",
  "recipient_type",
  "recipient_id",
  "destination",
  "idempotency_key",
  "run_at",
  "max_attempts",
  "incident_id",
  "created_at",
];

/** The columns a claim from the queue returns, mapped by toDelivery. */
export const CLAIMED_COLUMNS = sql.raw(
  [
    ...COMMON_COLUMNS,
    "job_id",
    "status",
    "locked_until",
    "attempts",
    "provider_id",
    "response_code",
    "error",
    "digest_id",
    "delivered_at",
  ].join(", "),
);

const date = (v: unknown) => (v ? new Date(v as string) : null);

/**
 * What planning returns of a delivery it wrote already claimed (see plan.ts), read from `table`;
 * the rest is known to the planner (job, lock) or fixed (status "sending", attempt 1, no provider
 * response yet). Every column left out is one value fewer to parse per delivery of a fan-out.
 */
export const planClaimedColumns = (table: string) =>
  sql.raw(COMMON_COLUMNS.map((c) => `${table}.${c}`).join(", "));

/** The columns a claim does not always read, supplied by the caller. */
type Known = Pick<
  ClaimedDelivery,
  | "jobId"
  | "status"
  | "lockedUntil"
  | "attempts"
  | "providerId"
  | "responseCode"
  | "error"
  | "digestId"
  | "deliveredAt"
>;

/**
 * A claimed delivery from a returned row and what the caller knows of it (see plannedClaim and
 * toDelivery). One literal, no spread: spreading a helper's result into the object cost about
 * 25 µs a row (40 times this), which a fan-out of 10,000 felt.
 */
export function toClaimed(r: Record<string, unknown>, k: Known): ClaimedDelivery {
  return {
    id: r.id as string,
    jobId: k.jobId,
    orgId: r.org_id as string,
    channel: r.channel as Delivery["channel"],
    recipientType: r.recipient_type as Delivery["recipientType"],
    recipientId: (r.recipient_id as string) ?? null,
    destination: r.destination as string,
    idempotencyKey: r.idempotency_key as string,
    status: k.status,
    runAt: new Date(r.run_at as string),
    lockedUntil: k.lockedUntil,
    attempts: k.attempts,
    maxAttempts: Number(r.max_attempts),
    providerId: k.providerId,
    responseCode: k.responseCode,
    error: k.error,
    incidentId: (r.incident_id as string) ?? null,
    digestId: k.digestId,
    createdAt: new Date(r.created_at as string),
    deliveredAt: k.deliveredAt,
  };
}

/** What every delivery of one part of a planned claim shares; build it once per part. */
export function plannedClaim(jobId: string, lockedUntil: Date): Known {
  return {
    jobId,
    status: "sending",
    lockedUntil,
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
    jobId: (r.job_id as string) ?? null,
    status: r.status as Delivery["status"],
    lockedUntil: date(r.locked_until),
    attempts: Number(r.attempts),
    providerId: (r.provider_id as string) ?? null,
    responseCode: (r.response_code as number) ?? null,
    error: (r.error as string) ?? null,
    digestId: (r.digest_id as string) ?? null,
    deliveredAt: date(r.delivered_at),
  });
}

/**
 * The endpoint columns planning's claim carries along (aliased ep_*), so sending needs no second
 * query; `e` is the alert_endpoints row joined on the delivery's recipient_id and org_id, which
 * are therefore the endpoint's id and org.
 */
export const ENDPOINT_COLUMNS = sql.raw(
  "e.enabled as ep_enabled, e.disabled_reason as ep_disabled_reason, " +
    "e.url_encrypted as ep_url_encrypted, e.secret_encrypted as ep_secret_encrypted, " +
    "e.previous_secret_encrypted as ep_previous_secret_encrypted, e.previous_secret_expires_at as ep_previous_secret_expires_at",
);

export function toEndpoint(r: Record<string, unknown>): EndpointForSend | null {
  // url_encrypted is never null on an endpoint: null here means no endpoint was joined.
  if (r.ep_url_encrypted == null) return null;
  return {
    id: r.recipient_id as string,
    orgId: r.org_id as string,
    enabled: Boolean(r.ep_enabled),
    disabledReason: (r.ep_disabled_reason as string) ?? null,
    urlEncrypted: r.ep_url_encrypted as string,
    secretEncrypted: (r.ep_secret_encrypted as string) ?? null,
    previousSecretEncrypted: (r.ep_previous_secret_encrypted as string) ?? null,
    previousSecretExpiresAt: date(r.ep_previous_secret_expires_at),
  };
}
