import type { Inngest } from "inngest";
import { evaluateAllRules } from "@/lib/metrics/evaluator";
import type { AlertFunctionDeps } from "./shared";

/**
 * Every minute: evaluates every active threshold rule (lib/metrics/evaluator.ts), as the embedded
 * driver does, so time-based states happen without new samples: no data after a silence, the end
 * of a pending period, values leaving the sample period, repeats while firing. Rules are locked
 * while evaluated, so a run overlapping an evaluation after ingest fires nothing twice.
 */
export function createEvaluateThresholds(inngest: Inngest, deps: AlertFunctionDeps) {
  return inngest.createFunction(
    {
      id: "threshold-rules-evaluate",
      name: "Evaluate threshold rules",
      triggers: [{ cron: "* * * * *" }],
      concurrency: { limit: 1 },
    },
    async ({ step }) =>
      step.run("evaluate", async () => {
        const res = await evaluateAllRules(await deps.getDb());
        return { evaluated: res.evaluated, transitions: res.transitions.length };
      }),
  );
}
