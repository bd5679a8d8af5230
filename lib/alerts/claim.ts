import { sql } from "drizzle-orm";
import type { AlertEndpoint, Delivery } from "@/db/schema";
import type { AlertItem, AlertMessage } from "./render";

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

/** The columns a claim returns (raw SQL, snake_case), mapped by toDelivery. */
export const CLAIMED_COLUMNS = sql.raw(
  "id, job_id, org_id, channel, recipient_type, recipient_id, destination, idempotency_key, status, run_at, " +
    "locked_until, attempts, max_attempts, provider_id, response_code, error, incident_id, digest_id, created_at, delivered_at",
);

const date = (v: unknown) => (v ? new Date(v as string) : null);

/**
 * What planning returns of a delivery it wrote already claimed (see plan.ts); the rest is known:
 * status "sending", attempt 1, no provider response yet.
 */
export const PLAN_CLAIMED_COLUMNS = sql.raw(
  "id, job_id, org_id, channel, recipient_type, recipient_id, destination, idempotency_key, run_at, " +
    "locked_until, max_attempts, incident_id, created_at",
);

export function toPlanClaimed(r: Record<string, unknown>): ClaimedDelivery {
  return {
    id: r.id as string,
    jobId: (r.job_id as string) ?? null,
    orgId: r.org_id as string,
    channel: r.channel as Delivery["channel"],
    recipientType: r.recipient_type as Delivery["recipientType"],
    recipientId: (r.recipient_id as string) ?? null,
    destination: r.destination as string,
    idempotencyKey: r.idempotency_key as string,
    status: "sending",
    runAt: new Date(r.run_at as string),
    lockedUntil: date(r.locked_until),
    attempts: 1,
    maxAttempts: Number(r.max_attempts),
    providerId: null,
    responseCode: null,
    error: null,
    incidentId: (r.incident_id as string) ?? null,
    digestId: null,
    createdAt: new Date(r.created_at as string),
    deliveredAt: null,
  };
}

export function toDelivery(r: Record<string, unknown>): ClaimedDelivery {
  return {
    ...toPlanClaimed(r),
    status: r.status as Delivery["status"],
    attempts: Number(r.attempts),
    providerId: (r.provider_id as string) ?? null,
    responseCode: (r.response_code as number) ?? null,
    error: (r.error as string) ?? null,
    digestId: (r.digest_id as string) ?? null,
    deliveredAt: date(r.delivered_at),
  };
}

/**
 * The endpoint columns a claim can carry along (aliased ep_*), so sending needs no second query;
 * `e` is the joined alert_endpoints row.
 */
export const ENDPOINT_COLUMNS = sql.raw(
  "e.id as ep_id, e.org_id as ep_org_id, e.enabled as ep_enabled, e.disabled_reason as ep_disabled_reason, " +
    "e.url_encrypted as ep_url_encrypted, e.secret_encrypted as ep_secret_encrypted, " +
    "e.previous_secret_encrypted as ep_previous_secret_encrypted, e.previous_secret_expires_at as ep_previous_secret_expires_at",
);

export function toEndpoint(r: Record<string, unknown>): EndpointForSend | null {
  if (!r.ep_id) return null;
  return {
    id: r.ep_id as string,
    orgId: r.ep_org_id as string,
    enabled: Boolean(r.ep_enabled),
    disabledReason: (r.ep_disabled_reason as string) ?? null,
    urlEncrypted: r.ep_url_encrypted as string,
    secretEncrypted: (r.ep_secret_encrypted as string) ?? null,
    previousSecretEncrypted: (r.ep_previous_secret_encrypted as string) ?? null,
    previousSecretExpiresAt: date(r.ep_previous_secret_expires_at),
  };
}
