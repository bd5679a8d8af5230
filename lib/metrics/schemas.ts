import { z } from "zod";
import { DATE_RANGE_MESSAGE, inDateRange, storable } from "@/lib/validation";
import { IMPACTS, INCIDENT_CATEGORIES, THRESHOLD_OPERATORS } from "@/db/schema";

export const metricName = z
  .string({ message: "is required" })
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z][a-z0-9_.]{0,62}$/,
    "must be a name like balance, cps or channels (letters, digits, _ and .)",
  );

export const RuleInput = z.object({
  name: storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(120, "must be at most 120 characters"),
  ),
  metric: metricName,
  operator: z.enum(THRESHOLD_OPERATORS, {
    message: "must be lt (below), gt (above) or eq (equal to)",
  }),
  threshold: z.preprocess(
    // Forms send "" for an empty box; that is a missing value, not zero.
    (v) => (v === "" || v === null ? undefined : typeof v === "string" ? Number(v) : v),
    z
      .number({ message: "is required and must be a number" })
      .refine(Number.isFinite, "must be a finite number"),
  ),
  samplePeriodMinutes: z.coerce
    .number({ message: "must be a number of minutes" })
    .int("must be a whole number of minutes")
    .min(0, "must be 0 (latest sample) or more")
    .max(1440, "must be at most 1440 (one day)")
    .default(0),
  category: z
    .enum(INCIDENT_CATEGORIES, { message: `must be one of ${INCIDENT_CATEGORIES.join(", ")}` })
    .default("configurable"),
  impact: z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}` }).default("minor"),
  enabled: z.boolean({ message: "must be true or false" }).default(true),
});
export type RuleInput = z.infer<typeof RuleInput>;

export const RuleIdInput = z.object({ ruleId: z.uuid({ message: "must be an id" }) });
export const UpdateRuleInput = RuleInput.extend(RuleIdInput.shape);

export const SamplesInput = z.object({
  samples: z
    .array(
      z.object({
        metric: metricName,
        value: z
          .number({ message: "must be a number" })
          .refine(Number.isFinite, "must be a finite number"),
        at: z.iso
          .datetime({ offset: true, message: "must be an ISO 8601 time with a zone" })
          .refine((s) => inDateRange(new Date(s)), { message: DATE_RANGE_MESSAGE })
          .optional(),
      }),
      { message: "must be a list of { metric, value, at? }" },
    )
    .min(1, "must hold at least one sample")
    .max(1000, "must hold at most 1000 samples per request"),
});
