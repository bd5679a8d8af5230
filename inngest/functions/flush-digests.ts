import type { Inngest } from "inngest";
import { flushDigests } from "@/lib/alerts/digests";
import { dueDeliveries } from "@/lib/alerts/steps";
import { dueEvent, type AlertFunctionDeps } from "./shared";

/** Every five minutes: folds due held alerts into digests and sends them. */
export function createFlushDigests(inngest: Inngest, deps: AlertFunctionDeps) {
  return inngest.createFunction(
    { id: "alerts-flush-digests", name: "Send due digests", triggers: [{ cron: "*/5 * * * *" }] },
    async ({ step }) => {
      const due = await step.run("flush", async () => {
        const db = await deps.getDb();
        const ids = await flushDigests(db);
        return (await dueDeliveries(db)).filter((d) => ids.includes(d.id));
      });
      if (due.length) await step.sendEvent("send-digests", due.map(dueEvent));
      return { digests: due.length };
    },
  );
}
