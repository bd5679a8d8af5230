import { apiRoute } from "@/app/_server/api";
import { acknowledgeIncident } from "@/lib/oncall/acknowledge";

/** POST: acknowledge the incident's on-call page; its escalation stops (nobody else is paged). */
export const POST = apiRoute<{ id: string }>(async ({ ctx, params }) =>
  acknowledgeIncident({ ctx, input: { incidentId: params.id } }),
);
