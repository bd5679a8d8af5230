import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { deliveries, notificationJobs, type TraceStep } from "@/db/schema";
import { DeliveryError } from "@/lib/channels/errors";
import { adapterFor } from "@/lib/channels/registry";
import { channelSettingsFromEnv, type ChannelSettings } from "@/lib/channels/settings";
import type { SendContext, SendResult } from "@/lib/channels/types";
import { alertItemOf, renderMessage, type AlertItem } from "@/lib/channels/message";
import type { ClaimedDelivery, PrepCache } from "./claim";
import { resolveConfig } from "./destination";
import { recordOutcome, type DeliverOutcome, type RecordOptions } from "./outcomes";
import { claimDeliveries } from "./queue";
import { customTextFor, type CustomOutcome } from "./templates";

/**
 * Sending a claimed delivery: what it carries (its alert, or a digest's), where it goes, the
 * channel adapter's send, and the recorded outcome. Both drivers send through here.
 */

export interface DeliverOptions extends RecordOptions {
  settings?: ChannelSettings;
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

type Prepared = {
  d: ClaimedDelivery;
  started: number;
  ctx: SendContext<unknown>;
  trace?: TraceStep[];
};

/**
 * The tenant's custom wording for this delivery, rendered once per job, organization and channel
 * for a whole claimed batch. Never throws: a template that fails leaves the default wording and a
 * trace step saying so.
 */
async function customFor(
  db: Db,
  d: ClaimedDelivery,
  items: AlertItem[],
  digest: boolean,
  appUrl: string,
  cache?: PrepCache,
): Promise<CustomOutcome> {
  // A digest keeps Beacon's layout: a template words one alert.
  if (digest || !d.jobId) return {};
  const key = `${d.jobId}:${d.orgId}:${d.channel}:${d.recipientType === "subscriber"}`;
  const cached = cache?.customs.get(key);
  if (cached) return cached;
  const out = await customTextFor(db, d, items[0]!, appUrl);
  cache?.customs.set(key, out);
  return out;
}

/** Everything an adapter needs for one delivery; a DeliveryError here is recorded like a send failure. */
async function prepare(
  db: Db,
  d: ClaimedDelivery,
  settings: ChannelSettings,
  now: Date,
  cache?: PrepCache,
): Promise<{ ctx: SendContext<unknown>; trace?: TraceStep[] }> {
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
  const { custom, trace } = await customFor(db, d, items, digest, settings.appUrl, cache);
  if (custom) message = { ...message, custom };
  return {
    ctx: { db, delivery: d, config: parsed.data, message, settings, now },
    trace: trace ? [trace] : undefined,
  };
}

function asDeliveryError(e: unknown): DeliveryError {
  return e instanceof DeliveryError
    ? e
    : new DeliveryError(e instanceof Error ? e.message : String(e));
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
  let outcome: ({ result: SendResult } | { error: DeliveryError }) & { trace?: TraceStep[] };
  let trace: TraceStep[] | undefined;
  try {
    const prepared = await prepare(db, d, settings, now, cache);
    trace = prepared.trace;
    outcome = { result: await adapterFor(d.channel).send(prepared.ctx) };
  } catch (e) {
    outcome = { error: asDeliveryError(e) };
  }
  if (trace) outcome = { ...outcome, trace };
  // Recorded outside the try: a failure to record must not turn a sent message into a retry.
  return recordOutcome(db, d, started, outcome, opts);
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
      ready.push({ d, started, ...(await prepare(db, d, settings, now, cache)) });
    } catch (e) {
      out.push(await recordOutcome(db, d, started, { error: asDeliveryError(e) }, opts));
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
      ...(await Promise.all(
        chunk.map((p, j) =>
          recordOutcome(db, p.d, p.started, { ...outcomes[j]!, trace: p.trace }, opts),
        ),
      )),
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
