import { z } from "zod";
import { IMPACTS, ROLES } from "@/db/schema";
import { idOf } from "@/lib/ids";
import { storable } from "@/lib/validation";

/** A tier waits at least one minute and at most a day before the next tier is paged. */
export const MAX_TIERS = 10;
export const MAX_REPEATS = 10;

/** Forms send lists as comma- or newline-separated text; the API sends arrays. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(/[\s,]+/)
            .map((s) => s.trim())
            .filter(Boolean)
        : (v ?? []),
    z.array(item, { message: "must be a list" }).max(100, "must list at most 100"),
  );

export const TierInput = z
  .object({
    userIds: list(idOf("member")),
    roleGroups: list(z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` })),
    endpointIds: list(idOf("endpoint")),
    timeoutMinutes: z.coerce
      .number({ message: "must be a number of minutes" })
      .int("must be a whole number of minutes")
      .min(1, "must be at least 1 minute")
      .max(1440, "must be at most 1440 (one day)"),
  })
  .refine((t) => t.userIds.length + t.roleGroups.length + t.endpointIds.length > 0, {
    message: "must name at least one member, role group or endpoint",
    path: ["targets"],
  });

export const PolicyInput = z.object({
  name: storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(120, "must be at most 120 characters"),
  ),
  tiers: z
    .array(TierInput, { message: "must be a list of tiers" })
    .min(1, "must have at least one tier")
    .max(MAX_TIERS, `must have at most ${MAX_TIERS} tiers`),
  repeatCount: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(MAX_REPEATS, `must be at most ${MAX_REPEATS}`)
    .default(0),
  /** Platform only: incidents opened at or above this impact start the policy; null: never. */
  incidentMinImpact: z.preprocess(
    (v) => (v === "" || v === undefined ? null : v),
    z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}, or empty` }).nullable(),
  ),
  enabled: z.boolean({ message: "must be true or false" }).default(true),
});
export type PolicyInput = z.infer<typeof PolicyInput>;

export const PolicyIdInput = z.object({ policyId: idOf("escalation policy") });
export const UpdatePolicyInput = PolicyInput.extend(PolicyIdInput.shape);
export const IncidentIdInput = z.object({ incidentId: idOf("incident") });
export const EscalationIdInput = z.object({ escalationId: idOf("escalation") });
