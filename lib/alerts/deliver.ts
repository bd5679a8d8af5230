import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import {
  alertEndpoints,
  alertSettings,
  auditLog,
  deliveries,
  notificationJobs,
  publicSubscribers,
  type Delivery,
} from "@/db/schema";
import { decryptSecretForSending } from "@/lib/crypto/secrets";
import { signingSecrets } from "@/lib/crypto/webhook-secrets";
import { DeliveryError } from "@/lib/channels/errors";
import { adapterFor } from "@/lib/channels/registry";
import { channelSettingsFromEnv, type ChannelSettings } from "@/lib/channels/settings";
import type { SendContext, SendResult } from "@/lib/channels/types";
import { alertItemOf, renderMessage, type AlertItem } from "@/lib/channels/message";
import {
  CLAIMED_COLUMNS,
  ENDPOINT_FOR_SEND,
  LOCK_MS,
  emptyPrepCache,
  toDelivery,
  type ClaimedDelivery,
  type EndpointForSend,
  type PrepCache,
} from "./claim";
import {
  createOutcomeWriter,
  writeOutcomes,
  type OutcomeRow,
  type OutcomeWriter,
} from "./outcomes";
import { nextRetryAt } from "./retry";
import { quietUntil } from "./schedule";
import { unsubscribeToken } from "./unsubscribe";
import { unsubscribeUrl as subscriberUnsubscribeUrl } from "@/lib/subscribers/tokens";
import { removeGoneSubscriber } from "@/lib/subscribers/subscribe";
import { wakeJobDriver } from "@/lib/jobs/outbox";
import { warnOrgAdmins } from "./user-warning";

export interface DeliverOptions {
  now?: Date;
  random?: () => number;
  settings?: ChannelSettings;
  /** Backoff base; tests shorten it. */
  retryBaseMs?: number;
  /** Batches outcome writes (set by drainDueDeliveries); without it each outcome is written at once. */
  writer?: OutcomeWriter;
}

export interface DeliverOutcome {
  id: string;
  status: Delivery["status"];
  retryAt?: Date | null;
  responseCode?: number | null;
  error?: string | null;
}

export async function loadPrepCache(db: Db, ds: ClaimedDelivery[]): Promise<PrepCache> {
  const jobIds = [...new Set(ds.map((d) => d.jobId).filter((x): x is string => Boolean(x)))];
  const endpointIds = [
    ...new Set(
      ds.filter((d) => d.recipientType === "endpoint" && d.recipientId).map((d) => d.recipientId!),
    ),
  ];
  const [jobs, endpoints] = await Promise.all([
    jobIds.length
      ? db.select().from(notificationJobs).where(inArray(notificationJobs.id, jobIds))
      : [],
    endpointIds.length
      ? db
          .select(ENDPOINT_FOR_SEND)
          .from(alertEndpoints)
          .where(inArray(alertEndpoints.id, endpointIds))
      : [],
  ]);
  const cache = emptyPrepCache();
  for (const j of jobs) cache.jobs.set(j.id, alertItemOf(j));
  for (const e of endpoints) cache.endpoints.set(e.id, e);
  return cache;
}

/**
 * Claims due deliveries (pending → sending, attempts + 1) with FOR UPDATE SKIP LOCKED, so any
 * number of workers or processes share the queue without sending anything twice.
 */
export async function claimDeliveries(
  db: Db,
  opts: { now?: Date; limit?: number; ids?: string[] } = {},
): Promise<ClaimedDelivery[]> {
  const now = opts.now ?? new Date();
  const idFilter = opts.ids ? sql`and id = any(${`{${opts.ids.join(",")}}`}::uuid[])` : sql``;
  const res = await db.execute(sql`
    update deliveries set status = 'sending', attempts = attempts + 1,
      locked_until = ${new Date(now.getTime() + LOCK_MS).toISOString()}::timestamptz
    where id in (
      select id from deliveries
      where status = 'pending' and run_at <= ${now.toISOString()}::timestamptz ${idFilter}
      order by run_at limit ${opts.limit ?? 100}
      for update skip locked)
    returning ${CLAIMED_COLUMNS}`);
  return rowsOf<Record<string, unknown>>(res).map(toDelivery);
}

async function loadItems(
  db: Db,
  d: ClaimedDelivery,
  cache?: PrepCache,
): Promise<{ items: AlertItem[]; digest: boolean }> {
  const cached = d.jobId ? cache?.jobs.get(d.jobId) : undefined;
  if (cached) return { items: [cached], digest: false };
  if (d.jobId) {
    const [job] = await db.select().from(notificationJobs).where(eq(notificationJobs.id, d.jobId));
    if (!job)
      throw new DeliveryError("The notification this delivery belongs to no longer exists", {
        permanent: true,
      });
    return { items: [alertItemOf(job)], digest: false };
  }
  const rows = await db
    .select({
      kind: notificationJobs.kind,
      payload: notificationJobs.payload,
      createdAt: notificationJobs.createdAt,
    })
    .from(deliveries)
    .innerJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .where(eq(deliveries.digestId, d.id))
    .orderBy(asc(notificationJobs.createdAt));
  if (rows.length === 0) throw new DeliveryError("Digest has no alerts", { permanent: true });
  return { items: rows, digest: true };
}

async function resolveConfig(
  db: Db,
  d: ClaimedDelivery,
  items: AlertItem[],
  settings: ChannelSettings,
  now: Date,
  cache?: PrepCache,
): Promise<unknown> {
  if (d.recipientType === "subscriber") return resolveSubscriber(db, d, settings, now);
  switch (d.channel) {
    case "email":
      if (d.recipientType === "recipient" && d.recipientId)
        return {
          to: d.destination,
          unsubscribeUrl: `${settings.appUrl}/api/alerts/unsubscribe?token=${unsubscribeToken(d.recipientId)}`,
          oneClick: true,
        };
      // The member chose this email themselves; the way out is their own page, not the org's settings.
      if (items.every((i) => i.kind === "user.warning"))
        return {
          to: d.destination,
          unsubscribeUrl: `${settings.appUrl}/portal/profile`,
          oneClick: false,
          userWarning: true,
        };
      return {
        to: d.destination,
        unsubscribeUrl: `${settings.appUrl}/portal/alerts`,
        oneClick: false,
      };
    case "sms":
      return { to: d.destination };
    case "in_app":
      return { userId: d.recipientId };
    default: {
      const fromCache = d.recipientId ? cache?.endpoints.get(d.recipientId) : undefined;
      const [e]: (EndpointForSend | undefined)[] =
        fromCache && fromCache.orgId === d.orgId
          ? [fromCache]
          : await db
              .select(ENDPOINT_FOR_SEND)
              .from(alertEndpoints)
              .where(
                and(
                  eq(alertEndpoints.id, d.recipientId ?? "00000000-0000-0000-0000-000000000000"),
                  eq(alertEndpoints.orgId, d.orgId),
                ),
              );
      if (!e) throw new DeliveryError("The endpoint was deleted", { permanent: true });
      if (!e.enabled)
        throw new DeliveryError(
          `The endpoint is disabled${e.disabledReason ? `: ${e.disabledReason}` : ""}`,
          { permanent: true },
        );
      return { url: decryptSecretForSending(e.urlEncrypted), secrets: signingSecrets(e, now) };
    }
  }
}

/**
 * A public subscriber: re-read so an unsubscribe after planning stops the send. A webhook signs
 * with both secrets while a rotated-out one is still within its overlap, as endpoints do.
 */
async function resolveSubscriber(
  db: Db,
  d: ClaimedDelivery,
  settings: ChannelSettings,
  now: Date,
): Promise<unknown> {
  const [s] = await db
    .select()
    .from(publicSubscribers)
    .where(eq(publicSubscribers.id, d.recipientId ?? "00000000-0000-0000-0000-000000000000"));
  if (!s || !s.confirmedAt)
    throw new DeliveryError("The subscriber has unsubscribed", { permanent: true });
  if (d.channel === "email")
    return {
      to: s.email,
      unsubscribeUrl: subscriberUnsubscribeUrl(settings.appUrl, s.id),
      oneClick: true,
      publicSubscriber: true,
    };
  if (!s.urlEncrypted || !s.secretEncrypted)
    throw new DeliveryError("The subscriber has no webhook URL", { permanent: true });
  return { url: decryptSecretForSending(s.urlEncrypted), secrets: signingSecrets(s, now) };
}

/**
 * An endpoint that answered 410 Gone, or whose deliveries have all failed for FAILING_DAYS, is
 * switched off, and the tenant's admins get a user-level warning (in-app, plus email/SMS for those
 * who opted in), written in the same transaction.
 */
async function disableGoneEndpoint(db: Db, d: ClaimedDelivery, reason: string) {
  if (!d.recipientId || d.recipientType !== "endpoint") return;
  const warned = await db.transaction(async (tx) => {
    const [e] = await tx
      .update(alertEndpoints)
      .set({ enabled: false, disabledReason: reason })
      .where(
        and(
          eq(alertEndpoints.id, d.recipientId!),
          eq(alertEndpoints.orgId, d.orgId),
          eq(alertEndpoints.enabled, true),
        ),
      )
      .returning();
    if (!e) return;
    await tx.insert(auditLog).values({
      orgId: d.orgId,
      actorType: "system",
      actorId: null,
      action: "endpoint.disabled",
      targetType: "alert_endpoint",
      targetId: e.id,
      data: { reason },
    });
    const job = await warnOrgAdmins(tx, {
      orgId: d.orgId,
      title: `Endpoint "${e.name}" was disabled`,
      message: `${reason}. Fix the endpoint, then enable it again in Alerts & Notifications.`,
      url: "/portal/alerts",
      data: { endpointId: e.id },
    });
    return job !== null;
  });
  if (warned) wakeJobDriver();
}

/** An endpoint none of whose deliveries succeeded for this long is switched off. */
export const FAILING_DAYS = 5;

/**
 * When an endpoint's run of failed deliveries began, if it has lasted FAILING_DAYS or more with no
 * delivery succeeding since; otherwise null. Asked only when a delivery fails for good.
 */
async function failingSince(db: Db, d: ClaimedDelivery, now: Date): Promise<Date | null> {
  const res = await db.execute(sql`
    with ok as (
      select max(delivered_at) as at from deliveries
      where recipient_type = 'endpoint' and recipient_id = ${d.recipientId}::uuid and status = 'delivered'
    )
    select min(f.created_at) as since from deliveries f, ok
    where f.recipient_type = 'endpoint' and f.recipient_id = ${d.recipientId}::uuid and f.status = 'failed'
      and f.created_at > coalesce(ok.at, '-infinity'::timestamptz)`);
  const since = rowsOf<{ since: string | Date | null }>(res)[0]?.since;
  if (!since) return null;
  const at = new Date(since);
  return now.getTime() - at.getTime() >= FAILING_DAYS * 86_400_000 ? at : null;
}

type Prepared = { d: ClaimedDelivery; started: number; ctx: SendContext<unknown> };

/** Everything an adapter needs for one delivery; a DeliveryError here is recorded like a send failure. */
async function prepare(
  db: Db,
  d: ClaimedDelivery,
  settings: ChannelSettings,
  now: Date,
  cache?: PrepCache,
): Promise<SendContext<unknown>> {
  const { items, digest } = await loadItems(db, d, cache);
  const adapter = adapterFor(d.channel);
  const parsed = adapter.configSchema.safeParse(
    await resolveConfig(db, d, items, settings, now, cache),
  );
  if (!parsed.success) {
    throw new DeliveryError(
      `Bad destination: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
      {
        permanent: true,
      },
    );
  }
  let message = !digest && d.jobId ? cache?.messages.get(d.jobId) : undefined;
  if (!message) {
    message = renderMessage(items, settings.appUrl, digest);
    if (!digest && d.jobId) cache?.messages.set(d.jobId, message);
  }
  return { db, delivery: d, config: parsed.data, message, settings, now };
}

function asDeliveryError(e: unknown): DeliveryError {
  return e instanceof DeliveryError
    ? e
    : new DeliveryError(e instanceof Error ? e.message : String(e));
}

/**
 * What an outcome leads to beyond its own row, if anything: a gone receiver is removed (public
 * subscriber) or disabled (endpoint), and an endpoint's final failure may end a failing streak.
 */
function followUpOf(
  db: Db,
  d: ClaimedDelivery,
  error: DeliveryError | null,
  status: Delivery["status"],
  now: Date,
): (() => Promise<void>) | undefined {
  if (error?.opts.gone) {
    if (d.recipientType === "subscriber" && d.recipientId) {
      const id = d.recipientId;
      return () => removeGoneSubscriber(db, id);
    }
    return () => disableGoneEndpoint(db, d, `Answered HTTP 410 Gone on ${now.toISOString()}`);
  }
  if (status !== "failed" || d.recipientType !== "endpoint") return undefined;
  return async () => {
    const since = await failingSince(db, d, now);
    if (since)
      await disableGoneEndpoint(
        db,
        d,
        `Every delivery has failed since ${since.toISOString()} (${FAILING_DAYS} days or more)`,
      );
  };
}

/** Records one attempt and the delivery's new state (delivered, pending with a retry time, failed). */
async function record(
  db: Db,
  d: ClaimedDelivery,
  started: number,
  outcome: { result: SendResult } | { error: DeliveryError },
  opts: DeliverOptions,
): Promise<DeliverOutcome> {
  const now = opts.now ?? new Date();
  const error = "error" in outcome ? outcome.error : null;
  const retryAt = error
    ? nextRetryAt({
        attempt: d.attempts,
        maxAttempts: d.maxAttempts,
        permanent: error.permanent,
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
  };
  const followUp = followUpOf(db, d, error, status, now);
  if (opts.writer) {
    // The sender moves on to its next delivery; the drain waits for this write before it returns.
    opts.writer.add(row, followUp);
  } else {
    await writeOutcomes(db, [row]);
    await followUp?.();
  }
  return { id: d.id, status, retryAt, responseCode: row.responseCode, error: row.error };
}

/** Sends one claimed delivery through its adapter and records the attempt and the outcome. */
export async function deliverClaimed(
  db: Db,
  d: ClaimedDelivery,
  opts: DeliverOptions = {},
  cache?: PrepCache,
): Promise<DeliverOutcome> {
  const now = opts.now ?? new Date();
  const settings = opts.settings ?? channelSettingsFromEnv();
  const started = Date.now();
  let outcome: { result: SendResult } | { error: DeliveryError };
  try {
    const ctx = await prepare(db, d, settings, now, cache);
    outcome = { result: await adapterFor(d.channel).send(ctx) };
  } catch (e) {
    outcome = { error: asDeliveryError(e) };
  }
  // Recorded outside the try: a failure to record must not turn a sent message into a retry.
  return record(db, d, started, outcome, opts);
}

/**
 * Sends claimed deliveries of one channel together when its adapter has a batch API (email via
 * Resend's batch endpoint, up to 100 per request); otherwise one by one.
 */
export async function deliverClaimedBatch(
  db: Db,
  ds: ClaimedDelivery[],
  opts: DeliverOptions = {},
  cache?: PrepCache,
): Promise<DeliverOutcome[]> {
  const adapter = ds[0] ? adapterFor(ds[0].channel) : undefined;
  const settings = opts.settings ?? channelSettingsFromEnv();
  if (!adapter?.sendBatch || ds.length < 2 || !adapter.batchable?.(settings)) {
    return Promise.all(ds.map((d) => deliverClaimed(db, d, opts, cache)));
  }
  const now = opts.now ?? new Date();
  const out: DeliverOutcome[] = [];
  const ready: Prepared[] = [];
  for (const d of ds) {
    const started = Date.now();
    try {
      ready.push({ d, started, ctx: await prepare(db, d, settings, now, cache) });
    } catch (e) {
      out.push(await record(db, d, started, { error: asDeliveryError(e) }, opts));
    }
  }
  for (let i = 0; i < ready.length; i += 100) {
    const chunk = ready.slice(i, i + 100);
    let outcomes: ({ result: SendResult } | { error: DeliveryError })[];
    try {
      const results = await adapter.sendBatch(chunk.map((p) => p.ctx));
      outcomes = chunk.map((_, j) => ({ result: results[j]! }));
    } catch (e) {
      const err = asDeliveryError(e);
      outcomes = chunk.map(() => ({ error: err }));
    }
    out.push(
      ...(await Promise.all(chunk.map((p, j) => record(db, p.d, p.started, outcomes[j]!, opts)))),
    );
  }
  return out;
}

/**
 * The unit both drivers call: claim this delivery if it is due, send it, record the result.
 * If it is not claimable (already sent, not yet due, held by another worker) nothing is sent.
 */
export async function processDelivery(
  db: Db,
  id: string,
  opts: DeliverOptions = {},
): Promise<DeliverOutcome> {
  const [claimed] = await claimDeliveries(db, { now: opts.now, ids: [id], limit: 1 });
  if (!claimed) {
    const [row] = await db.select().from(deliveries).where(eq(deliveries.id, id));
    if (!row) throw new Error(`delivery ${id} not found`);
    return {
      id,
      status: row.status,
      retryAt: row.status === "pending" ? row.runAt : null,
      responseCode: row.responseCode,
      error: row.error,
    };
  }
  return deliverClaimed(db, claimed, opts);
}

export interface DrainOptions extends DeliverOptions {
  /** Deliveries claimed per query (default 200). */
  limit?: number;
  /** Deliveries sent at once (default 16). */
  concurrency?: number;
  /** Stop claiming after this many claims (default: until nothing is due). */
  maxClaims?: number;
  /** Checked before each claim; a stopping driver finishes what it holds and claims no more. */
  shouldStop?: () => boolean;
  /** How often the locks of held deliveries are renewed (default a third of the lock). */
  renewEveryMs?: number;
  /**
   * Keep each drain's outcomes to return them (default true). The embedded driver does not read
   * them; holding ten thousand of them until a fan-out ends only gives the garbage collector work.
   */
  collect?: boolean;
}

/** The embedded driver's sending side; see createSender. */
export interface Sender {
  /** Queues deliveries that are already claimed (planning claims what is due as it writes it). */
  submit(ds: ClaimedDelivery[], cache: PrepCache): void;
  /**
   * Resolves once fewer than `n` deliveries handed over by submit() wait to be sent (queue claims
   * are not counted): a planner waits on it between parts, so a fan-out of any size holds a
   * bounded number of deliveries in memory, not all of it.
   */
  room(n: number): Promise<void>;
  /**
   * Sends what was submitted, claiming due deliveries from the queue as it goes, until neither is
   * left; returns this drain's outcomes (none when created with `collect: false`). Called again
   * for what is submitted afterwards.
   */
  drain(): Promise<DeliverOutcome[]>;
  /** Waits for every outcome to be written and stops renewing leases. */
  close(): Promise<void>;
}

/**
 * Claims and sends due deliveries with bounded concurrency (the embedded driver). The next batch
 * is claimed while the current one is still sending, so senders never wait for the slowest of a
 * batch; outcomes are written in batches (group commit); email is grouped so a large fan-out goes
 * through the provider's batch endpoint. Claims held longer than a third of their lock (slow
 * receivers, a long queue of submitted work) have their lock renewed, so the sweeper never hands
 * a delivery that is still queued here to another sender.
 */
export function createSender(db: Db, opts: DrainOptions = {}): Sender {
  const limit = opts.limit ?? 200;
  const maxClaims = opts.maxClaims ?? Infinity;
  const writer = createOutcomeWriter(db);
  const sendOpts: DeliverOptions = { ...opts, writer };
  const tasks: (() => Promise<DeliverOutcome[]>)[] = [];
  /** Claimed here and not yet sent: the leases to renew. */
  const held = new Set<string>();
  let claims = 0;
  let refilling: Promise<void> | null = null;

  const renewal = setInterval(
    () => {
      if (held.size === 0) return;
      const until = new Date(Date.now() + LOCK_MS).toISOString();
      db.execute(
        sql`
      update deliveries set locked_until = ${until}::timestamptz
      where id = any(${`{${[...held].join(",")}}`}::uuid[]) and status = 'sending'`,
      ).catch(
        // A missed renewal costs at most a duplicate attempt after the sweeper's timeout; the
        // outcome write's attempt check keeps the log right.
        (e: unknown) => console.error("[beacon] renewing delivery locks:", e),
      );
    },
    opts.renewEveryMs ?? LOCK_MS / 3,
  );
  renewal.unref?.();

  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const collect = opts.collect ?? true;
  /** Handed over by planning and not yet sent: what room() counts (queue claims do not). */
  const handed = new Set<string>();
  /** Planners waiting for handed-over work to shrink (see room). */
  let waiters: { n: number; resolve: () => void }[] = [];
  const sent = (ds: ClaimedDelivery[]) => {
    for (const d of ds) {
      held.delete(d.id);
      handed.delete(d.id);
    }
    if (waiters.length)
      waiters = waiters.filter((w) => (handed.size < w.n ? (w.resolve(), false) : true));
  };

  /** The drain in progress: its outcomes, and the workers still running. */
  interface DrainState {
    out: DeliverOutcome[];
    exhausted: boolean;
    failure: unknown;
    active: number;
    done: () => void;
  }
  let current: DrainState | null = null;

  function enqueue(claimed: ClaimedDelivery[], cache: PrepCache, fromPlanning: boolean) {
    const run = (ds: ClaimedDelivery[], send: () => Promise<DeliverOutcome[]>) => {
      for (const d of ds) {
        held.add(d.id);
        if (fromPlanning) handed.add(d.id);
      }
      // Whatever happens to the send, its deliveries are no longer waiting here.
      tasks.push(() => send().finally(() => sent(ds)));
    };
    const emails: ClaimedDelivery[] = [];
    for (const d of claimed) {
      if (d.channel === "email") emails.push(d);
      else run([d], () => deliverClaimed(db, d, sendOpts, cache).then((o) => [o]));
    }
    if (emails.length) run(emails, () => deliverClaimedBatch(db, emails, sendOpts, cache));
  }

  function refill(st: DrainState): Promise<void> | null {
    if (refilling || st.exhausted) return refilling;
    if (claims >= maxClaims || opts.shouldStop?.()) {
      st.exhausted = true;
      return null;
    }
    claims++;
    refilling = (async () => {
      try {
        const claimed = await claimDeliveries(db, { now: opts.now, limit });
        if (claimed.length < limit) st.exhausted = true;
        enqueue(claimed, await loadPrepCache(db, claimed), false);
      } catch (e) {
        st.failure ??= e;
        st.exhausted = true;
      } finally {
        refilling = null;
      }
    })();
    return refilling;
  }

  async function worker(st: DrainState) {
    for (;;) {
      if (tasks.length < limit) void refill(st);
      const task = tasks.shift();
      if (task) {
        try {
          const outcomes = await task();
          if (collect) st.out.push(...outcomes);
        } catch (e) {
          st.failure ??= e;
        }
        continue;
      }
      const pending = refilling ?? refill(st);
      if (!pending) return;
      await pending;
    }
  }

  function spawn(st: DrainState) {
    st.active++;
    void worker(st).finally(() => {
      if (--st.active > 0) return;
      // The last worker out ends the drain; work submitted after this waits for the next one.
      if (current === st) current = null;
      st.done();
    });
  }

  return {
    submit(claimed, cache) {
      enqueue(claimed, cache, true);
      // Workers that found nothing to do have left; bring them back for the new work.
      const st = current;
      const more = st ? Math.min(concurrency - st.active, tasks.length) : 0;
      for (let i = 0; i < more; i++) spawn(st!);
    },
    room: (n) =>
      handed.size < n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    async drain() {
      if (current) throw new Error("a sender drains one batch of work at a time");
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      const st: DrainState = { out: [], exhausted: false, failure: null, active: 0, done };
      current = st;
      for (let i = 0; i < concurrency; i++) spawn(st);
      await finished;
      if (st.failure) throw st.failure;
      return st.out;
    },
    async close() {
      clearInterval(renewal);
      await writer.close();
    },
  };
}

/** Claims and sends due deliveries until none is left (see createSender). */
export async function drainDueDeliveries(
  db: Db,
  opts: DrainOptions = {},
): Promise<DeliverOutcome[]> {
  const sender = createSender(db, opts);
  try {
    return await sender.drain();
  } finally {
    await sender.close();
  }
}

/** Claims one batch of due deliveries and sends it (tests and one-off runs). */
export function processDueDeliveries(
  db: Db,
  opts: DeliverOptions & { limit?: number; concurrency?: number } = {},
): Promise<DeliverOutcome[]> {
  return drainDueDeliveries(db, { ...opts, limit: opts.limit ?? 100, maxClaims: 1 });
}

/**
 * Sends due digests: every held delivery whose digest time has come is folded, per (tenant,
 * channel, destination), into one digest delivery (one statement), sent like any other.
 * A tenant in quiet hours gets its digest when they end.
 */
export async function flushDigests(db: Db, opts: { now?: Date } = {}): Promise<string[]> {
  const now = opts.now ?? new Date();
  const orgs = await db
    .selectDistinct({ s: alertSettings })
    .from(deliveries)
    .innerJoin(alertSettings, eq(alertSettings.orgId, deliveries.orgId))
    .where(
      and(
        eq(deliveries.status, "held"),
        sql`${deliveries.runAt} <= ${now.toISOString()}::timestamptz`,
      ),
    );
  if (orgs.length === 0) return [];
  const clocks = orgs.map(({ s }) => ({
    org_id: s.orgId,
    run_at: (
      quietUntil(
        { enabled: s.quietEnabled, start: s.quietStart, end: s.quietEnd, timeZone: s.timeZone },
        now,
      ) ?? now
    ).toISOString(),
  }));
  const res = await db.execute(sql`
    with oc as (
      select * from jsonb_to_recordset(${JSON.stringify(clocks)}::jsonb) as x(org_id uuid, run_at timestamptz)
    ),
    due as (
      select d.org_id, d.channel, d.recipient_type, d.recipient_id,
             case when d.recipient_type = 'endpoint' then d.recipient_id::text else lower(d.destination) end as dkey,
             min(d.destination) as destination, array_agg(d.id) as ids, count(*) as n,
             max(d.run_at) as window_at, min(oc.run_at) as send_at
      from deliveries d join oc on oc.org_id = d.org_id
      where d.status = 'held' and d.run_at <= ${now.toISOString()}::timestamptz
      group by 1, 2, 3, 4, 5
    ),
    keyed as (
      select due.*, 'digest:' || org_id || ':' || channel || ':' || dkey || ':' || extract(epoch from window_at)::bigint as key from due
    ),
    ins as (
      insert into deliveries (org_id, channel, recipient_type, recipient_id, destination, idempotency_key, status, run_at, trace)
      select org_id, channel, recipient_type, recipient_id, destination, key, 'pending', send_at,
        jsonb_build_array(jsonb_build_object('step', 'digest', 'outcome', 'info', 'detail', 'digest of ' || n || ' held alert' || case when n = 1 then '' else 's' end))
      from keyed
      on conflict (idempotency_key) do nothing
      returning id, idempotency_key
    )
    update deliveries d set status = 'digested', digest_id = ins.id
    from keyed join ins on ins.idempotency_key = keyed.key
    where d.id = any(keyed.ids)
    returning ins.id as digest_id`);
  return [...new Set(rowsOf<{ digest_id: string }>(res).map((r) => r.digest_id))];
}

/** Recovers work a crashed process left claimed: stale "sending" deliveries and "planning" jobs. */
export async function sweepStuck(
  db: Db,
  opts: { now?: Date } = {},
): Promise<{ deliveries: number; jobs: number }> {
  const now = (opts.now ?? new Date()).toISOString();
  const d = await db.execute(sql`
    update deliveries set status = case when attempts >= max_attempts then 'failed'::delivery_status else 'pending'::delivery_status end,
      locked_until = null, error = coalesce(error, 'interrupted while sending; retried')
    where status = 'sending' and locked_until < ${now}::timestamptz
    returning id`);
  const j = await db.execute(sql`
    update notification_jobs set status = 'pending'
    where status = 'planning' and run_at < ${now}::timestamptz
    returning id`);
  return { deliveries: rowsOf(d).length, jobs: rowsOf(j).length };
}
