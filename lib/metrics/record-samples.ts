import { and, eq, inArray } from "drizzle-orm";
import { metricSamples, thresholdRules } from "@/db/schema";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { parseInput, ValidationError } from "@/lib/errors";
import { evaluateRules } from "./evaluate";
import { SamplesInput } from "./schemas";

const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Records metric samples for the caller's organization and, in the same transaction, evaluates
 * the rules on those metrics, so a crossing and its alert commit together or not at all.
 * verb-no-audit: samples are a feed of readings, not a change anyone made; a crossing leaves its
 * outbox row and the rule's state.
 */
export async function recordSamples({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "metrics:write");
  const { samples } = parseInput(SamplesInput, input);
  const now = new Date();
  const tooLate = now.getTime() + MAX_CLOCK_SKEW_MS;
  const future = samples.flatMap((s, i) =>
    s.at && new Date(s.at).getTime() > tooLate
      ? [{ field: `samples.${i}.at`, message: "is in the future" }]
      : [],
  );
  if (future.length) throw new ValidationError(future);
  const rows = samples.map((s) => ({
    orgId: ctx.org.id,
    metric: s.metric,
    value: s.value,
    at: s.at ? new Date(s.at) : now,
  }));
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const transitions = await withTransaction(ctx, async (tx) => {
    await tx.insert(metricSamples).values(rows);
    const rules = await tx
      .select({ id: thresholdRules.id })
      .from(thresholdRules)
      .where(and(eq(thresholdRules.orgId, ctx.org.id), inArray(thresholdRules.metric, metrics)));
    return evaluateRules(
      tx,
      ctx,
      rules.map((r) => r.id),
      now,
    );
  });
  return { accepted: rows.length, transitions };
}
