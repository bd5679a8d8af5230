import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import type { Delivery, TraceStep } from "@/db/schema";
import type { DeliveryError } from "@/lib/channels/errors";
import type { SendResult } from "@/lib/channels/types";
import type { ClaimedDelivery } from "./claim";
import { followUpOf } from "./endpoint-health";
import { nextRetryAt } from "./retry";
import { subscriberFollowUpOf } from "./subscriber-health";

/** What became of one delivery attempt, as callers see it. */
export interface DeliverOutcome {
  id: string;
  status: Delivery["status"];
  retryAt?: Date | null;
  responseCode?: number | null;
  error?: string | null;
  /** The provider's id for the message ("devmail:…" when it only reached the dev mailbox). */
  providerId?: string | null;
}

/** What recording an outcome needs of the sending options (see DeliverOptions in send.ts). */
export interface RecordOptions {
  now?: Date;
  random?: () => number;
  /** Backoff base; tests shorten it. */
  retryBaseMs?: number;
  /** Batches outcome writes (the sender sets it); without it each outcome is written at once. */
  writer?: OutcomeWriter;
}

/** One attempt's result and the delivery state it leads to; written as a row of delivery_attempts plus an update. */
export interface OutcomeRow {
  id: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  responseCode: number | null;
  providerId: string | null;
  error: string | null;
  retryAt: Date | null;
  status: Delivery["status"];
  deliveredAt: Date | null;
  /** Steps sending adds to the delivery's trace (e.g. which template worded it); each once. */
  trace?: TraceStep[] | null;
}

/**
 * Writes any number of outcomes in one statement: the attempt rows and the deliveries' new state.
 * The update only touches a delivery still "sending" with the same attempt number, so a late
 * write from a sender the sweeper gave up on cannot overwrite a newer attempt.
 */
export async function writeOutcomes(db: Db, rows: OutcomeRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      attempt: r.attempt,
      started_at: r.startedAt.toISOString(),
      duration_ms: r.durationMs,
      response_code: r.responseCode,
      provider_id: r.providerId,
      error: r.error,
      retry_at: r.retryAt?.toISOString() ?? null,
      status: r.status,
      delivered_at: r.deliveredAt?.toISOString() ?? null,
      trace: r.trace?.length ? r.trace : null,
    })),
  );
  await db.execute(sql`
    with r as (
      select * from json_to_recordset(${json}::json) as x(
        id uuid, attempt int, started_at timestamptz, duration_ms int, response_code int,
        provider_id text, error text, retry_at timestamptz, status delivery_status, delivered_at timestamptz,
        trace jsonb)
    ),
    attempt as (
      insert into delivery_attempts (delivery_id, attempt, started_at, duration_ms, response_code, provider_id, error, retry_at)
      select id, attempt, started_at, duration_ms, response_code, provider_id, error, retry_at from r
      on conflict do nothing
    )
    update deliveries d set
      status = r.status,
      provider_id = coalesce(r.provider_id, d.provider_id),
      response_code = r.response_code,
      error = r.error,
      run_at = coalesce(r.retry_at, d.run_at),
      locked_until = null,
      locked_by = null,
      delivered_at = r.delivered_at,
      -- A retry that says the same thing again adds nothing.
      trace = case when r.trace is null or d.trace @> r.trace then d.trace else d.trace || r.trace end
    from r
    where d.id = r.id and d.status = 'sending' and d.attempts = r.attempt`);
}

export interface OutcomeWriter {
  /**
   * Stores the outcome without waiting for it (no promise per outcome: a fan-out records
   * thousands), then runs `then`, if given. close() waits for both and throws the first failure.
   */
  add(row: OutcomeRow, then?: () => Promise<void>): void;
  /** Writes whatever is buffered and waits for every write and follow-up; throws the first failure. */
  close(): Promise<void>;
}

interface Buffered {
  row: OutcomeRow;
  then?: () => Promise<void>;
}

/**
 * Buffers outcomes and writes them together, group-commit style: while one write is in flight,
 * results gather, and the next write takes all of them when it finishes. A fan-out of thousands
 * costs a statement (and a commit) per few hundred results instead of one per delivery, and the
 * batches grow by themselves when the database is the slower side. A lone result waits at most
 * `maxDelayMs` before it is written, so a single delivery is recorded promptly.
 */
export function createOutcomeWriter(
  db: Db,
  opts: {
    maxBatch?: number;
    maxDelayMs?: number;
    /**
     * A long-lived writer (the embedded driver's): a failed write is reported here and tried
     * again (1 s, 2 s, … at most 30 s later) instead of failing close(); the deliveries stay
     * claimed meanwhile, so nothing sent is sent again and nothing is lost.
     */
    onError?: (e: unknown) => void;
  } = {},
): OutcomeWriter {
  const maxBatch = opts.maxBatch ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 5;
  let buffer: Buffered[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const inFlight = new Set<Promise<void>>();
  const followUps = new Set<Promise<void>>();
  let failure: unknown = null;
  /** Failed batches waiting to be written again, and the current delay (onError only). */
  let retrying = 0;
  let retryDelay = 0;

  function follow(work: () => Promise<void>) {
    const p = work().catch((e: unknown) => {
      if (opts.onError) opts.onError(e);
      else failure ??= e;
    });
    followUps.add(p);
    void p.finally(() => followUps.delete(p));
  }

  function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    const p = writeOutcomes(
      db,
      batch.map((b) => b.row),
    ).then(
      () => {
        retryDelay = 0;
        for (const b of batch) if (b.then) follow(b.then);
      },
      (e: unknown) => {
        if (!opts.onError) {
          failure ??= e;
          return;
        }
        opts.onError(e);
        retryDelay = Math.min(30_000, retryDelay ? retryDelay * 2 : 1000);
        retrying++;
        setTimeout(() => {
          retrying--;
          buffer.push(...batch);
          flush();
        }, retryDelay).unref?.();
      },
    );
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      // What gathered during this write goes next, without waiting for the timer.
      if (inFlight.size === 0) flush();
    });
  }

  function push(b: Buffered) {
    buffer.push(b);
    if (buffer.length >= maxBatch) flush();
    else if (inFlight.size === 0) timer ??= setTimeout(flush, maxDelayMs);
  }

  return {
    add(row, then) {
      push({ row, then });
    },
    async close() {
      flush();
      while (inFlight.size || retrying) {
        if (inFlight.size) await Promise.all(inFlight);
        else await new Promise((resolve) => setTimeout(resolve, 100));
        flush();
      }
      while (followUps.size) await Promise.all(followUps);
      if (failure) throw failure;
    },
  };
}

/** Records one attempt and the delivery's new state (delivered, pending with a retry time, failed). */
export async function recordOutcome(
  db: Db,
  d: ClaimedDelivery,
  started: number,
  outcome: ({ result: SendResult } | { error: DeliveryError }) & { trace?: TraceStep[] },
  opts: RecordOptions,
): Promise<DeliverOutcome> {
  const now = opts.now ?? new Date();
  const error = "error" in outcome ? outcome.error : null;
  const retryAt = error
    ? nextRetryAt({
        attempt: d.attempts,
        maxAttempts: d.maxAttempts,
        permanent: error.permanent,
        timedOut: error.opts.network === "timeout",
        retryAfterMs: error.opts.retryAfterMs,
        now,
        random: opts.random,
        baseMs: opts.retryBaseMs,
      })
    : null;
  const status: Delivery["status"] = !error ? "delivered" : retryAt ? "pending" : "failed";
  const row: OutcomeRow = {
    id: d.id,
    attempt: d.attempts,
    startedAt: opts.now ?? new Date(started),
    durationMs: Date.now() - started,
    responseCode:
      "result" in outcome ? (outcome.result.responseCode ?? null) : (error!.responseCode ?? null),
    providerId: "result" in outcome ? (outcome.result.providerId ?? null) : null,
    error: error?.message ?? null,
    retryAt,
    status,
    deliveredAt: status === "delivered" ? now : null,
    trace: outcome.trace ?? null,
  };
  const followUp =
    followUpOf(db, d, error, status, now) ?? subscriberFollowUpOf(db, d, status, now);
  if (opts.writer) {
    // The sender moves on to its next delivery; the drain waits for this write before it returns.
    opts.writer.add(row, followUp);
  } else {
    await writeOutcomes(db, [row]);
    await followUp?.();
  }
  return {
    id: d.id,
    status,
    retryAt,
    responseCode: row.responseCode,
    error: row.error,
    providerId: row.providerId,
  };
}
