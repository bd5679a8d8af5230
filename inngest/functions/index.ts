import type { Inngest } from "inngest";
import { createEvaluateThresholds } from "./evaluate-thresholds";
import { createEscalation } from "./escalation";
import { createFlushDigests } from "./flush-digests";
import { createMaintenanceSteps } from "./maintenance";
import { createPlanNotification } from "./plan-notification";
import { createPruneRetention } from "./prune-retention";
import { createSendDelivery } from "./send-delivery";
import type { AlertFunctionDeps } from "./shared";
import { createSweep } from "./sweep";

export type { AlertFunctionDeps } from "./shared";

/**
 * The alert pipeline as Inngest functions, one file each. Each wraps one lib/ step in step.run, so
 * routing and sending are the very code the embedded driver runs; Inngest adds fan-out,
 * per-destination throttling, durable sleeps (quiet hours, retry backoff) and crons.
 */
export function createAlertFunctions(inngest: Inngest, deps: AlertFunctionDeps) {
  return {
    planNotification: createPlanNotification(inngest, deps),
    sendDelivery: createSendDelivery(inngest, deps),
    flushDigestsFn: createFlushDigests(inngest, deps),
    sweep: createSweep(inngest, deps),
    pruneRetention: createPruneRetention(inngest, deps),
    evaluateThresholds: createEvaluateThresholds(inngest, deps),
    escalation: createEscalation(inngest, deps),
    maintenanceSteps: createMaintenanceSteps(inngest, deps),
  };
}
