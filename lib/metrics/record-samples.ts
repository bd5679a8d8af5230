import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  callRecords,
  metricSamples,
  organizations,
  thresholdRules,
  CALL_METRICS,
  type Labels,
} from "@/db/schema";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ForbiddenError, parseInput, ValidationError } from "@/lib/errors";
import { requestEvaluation, storingBatch } from "./evaluator";
import type { Transition } from "./evaluate";
import { MetricsInput } from "./schemas";
import { keepUnderCap } from "./storage-cap";

const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The organization the metrics are for: the key's own, or for a platform key the named tenant. */
async function targetOrg(ctx: Ctx, tenant: string | undefined): Promise<string> {
  if (ctx.org.kind === "platform") {
    if (!tenant) {
      throw new ValidationError([
        { field: "tenant", message: "is required with a platform key: the tenant's slug" },
      ]);
    }
    const [org] = await ctx.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(eq(organizations.slug, tenant.toLowerCase()), eq(organizations.kind, "tenant")));
    if (!org)
      throw new ValidationError([{ field: "tenant", message: "is not a tenant organization" }]);
    return org.id;
  }
  if (tenant !== undefined && tenant.toLowerCase() !== ctx.org.slug) {
    throw new ForbiddenError(
      "A tenant's key posts only its own metrics (tenant must be omitted or its own slug)",
    );
  }
  return ctx.org.id;
}

/**
 * Inserts a batch's rows with one parameter per kind (a JSON array expanded by the server) rather
 * than one per column and row: thousands of bind parameters cost more to build and parse than the
 * rows themselves. Also the raw side of bench/ingest.ts: storing, without validation, cap or rules.
 */
export async function insertRows(
  tx: Tx,
  orgId: string,
  samples: { metric: string; value: number; at: Date; labels: Labels }[],
  calls: {
    at: Date;
    answered: boolean;
    durationSeconds: number;
    pddMs: number | null;
    region: string | null;
    trunk: string | null;
  }[],
) {
  if (samples.length) {
    const rows = JSON.stringify(
      samples.map((s) => ({ m: s.metric, v: s.value, a: s.at.toISOString(), l: s.labels })),
    );
    await tx.execute(sql`
      insert into ${metricSamples} (org_id, metric, value, at, labels)
      select ${orgId}, x.m, x.v, x.a, x.l
      from jsonb_to_recordset(${rows}::jsonb) as x(m text, v float8, a timestamptz, l jsonb)`);
  }
  if (calls.length) {
    const rows = JSON.stringify(
      calls.map((c) => ({
        a: c.at.toISOString(),
        n: c.answered,
        d: c.durationSeconds,
        p: c.pddMs,
        r: c.region,
        t: c.trunk,
      })),
    );
    await tx.execute(sql`
      insert into ${callRecords} (org_id, at, answered, duration_seconds, pdd_ms, region, trunk)
      select ${orgId}, x.a, x.n, x.d, x.p, x.r, x.t
      from jsonb_to_recordset(${rows}::jsonb)
        as x(a timestamptz, n boolean, d float8, p int, r text, t text)`);
  }
}

/**
 * Records gauge samples and call records for the caller's organization (or, with a platform key,
 * for the tenant named), all or none, then evaluates the rules that read them, coalesced with
 * other batches (lib/metrics/evaluator.ts), and answers with the transitions.
 * verb-no-audit: samples are a feed of readings, not a change anyone made; a crossing leaves its
 * outbox row, an audit row and the rule's state.
 */
export async function recordSamples({
  ctx,
  input,
  now: clock,
  maxRowsPerTenant,
}: {
  ctx: Ctx;
  input: unknown;
  now?: () => Date;
  /** The per-tenant cap (default METRICS_MAX_ROWS_PER_TENANT); tests inject a small one. */
  maxRowsPerTenant?: number;
}) {
  requirePermission(ctx, "metrics:write");
  const { tenant, samples, calls } = parseInput(MetricsInput, input);
  const now = clock ? clock() : new Date();
  const tooLate = now.getTime() + MAX_CLOCK_SKEW_MS;
  const future = [
    ...samples.map((s, i) => ({ at: s.at, field: `samples.${i}.at` })),
    ...calls.map((c, i) => ({ at: c.at, field: `calls.${i}.at` })),
  ].flatMap((x) =>
    x.at && new Date(x.at).getTime() > tooLate
      ? [{ field: x.field, message: "is in the future" }]
      : [],
  );
  if (future.length) throw new ValidationError(future);
  const orgId = await targetOrg(ctx, tenant);
  const sampleRows = samples.map((s) => ({
    orgId,
    metric: s.metric,
    value: s.value,
    at: s.at ? new Date(s.at) : now,
    labels: s.labels ?? {},
  }));
  const callRows = calls.map((c) => ({
    orgId,
    at: c.at ? new Date(c.at) : now,
    answered: c.answered,
    durationSeconds: c.answered ? c.durationSeconds : 0,
    pddMs: c.pddMs ?? null,
    region: c.region ?? null,
    trunk: c.trunk ?? null,
  }));
  const metrics = [...new Set(sampleRows.map((r) => r.metric))];
  // Told first, so that an evaluation pass starting meanwhile waits for this batch to join it.
  const stored = storingBatch(ctx.db);
  let evaluation: Promise<Transition[]>;
  let rules: { id: string; orgId: string }[];
  try {
    rules = await withTransaction(ctx, async (tx) => {
      // Per-tenant cap hook (lib/metrics/storage-cap.ts): room for the batch, oldest deleted first.
      await keepUnderCap(
        tx,
        orgId,
        { samples: sampleRows.length, calls: callRows.length },
        { maxRows: maxRowsPerTenant },
      );
      await insertRows(tx, orgId, sampleRows, callRows);
      const read = [...metrics, ...(callRows.length ? CALL_METRICS : [])];
      return tx
        .select({ id: thresholdRules.id, orgId: thresholdRules.orgId })
        .from(thresholdRules)
        .where(
          and(
            eq(thresholdRules.orgId, orgId),
            eq(thresholdRules.enabled, true),
            or(inArray(thresholdRules.metric, read)),
          ),
        );
    });
    evaluation = requestEvaluation(ctx.db, rules, now);
  } finally {
    stored();
  }
  const transitions = await evaluation;
  const mine = new Set(rules.map((r) => r.id));
  return {
    accepted: sampleRows.length + callRows.length,
    samples: sampleRows.length,
    calls: callRows.length,
    transitions: transitions.filter((t) => mine.has(t.ruleId)),
  };
}
