import { z } from "zod";
import { checkCondition } from "./condition";
import { DATE_RANGE_MESSAGE, inDateRange, MAX_EMAIL, storable } from "@/lib/validation";
import {
  AGGREGATIONS,
  CALL_METRICS,
  IMPACTS,
  RULE_AREAS,
  THRESHOLD_OPERATORS,
  type IncidentCategory,
  type RuleArea,
} from "@/db/schema";

export const metricName = z
  .string({ message: "is required" })
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z][a-z0-9_.]{0,62}$/,
    "must be a name like balance, cps or channels (letters, digits, _ and .)",
  );

/** The seed's Area and the alert category its alerts are routed by (the settings matrix). */
export const AREA_LABELS: Record<RuleArea, string> = {
  billing: "Billing",
  routing_voice: "Routing/Voice",
  messaging: "Messaging",
  api: "API",
  other: "Other",
};
export function categoryOfArea(area: RuleArea): IncidentCategory {
  return area === "billing" ? "billing" : "configurable";
}

/** Symbols as the seed writes them, accepted beside the stored names. */
export const OPERATOR_ALIASES: Record<string, (typeof THRESHOLD_OPERATORS)[number]> = {
  "<": "lt",
  "<=": "le",
  ">": "gt",
  ">=": "ge",
  "=": "eq",
  "==": "eq",
};

const labelKey = /^[a-z][a-z0-9_]{0,31}$/;
export const Labels = z
  .record(
    z.string(),
    storable(
      z
        .string({ message: "must be text" })
        .trim()
        .min(1, "must not be empty")
        .max(64, "must be at most 64 characters"),
    ),
    { message: "must be an object of label: value" },
  )
  .superRefine((l, c) => {
    for (const k of Object.keys(l)) {
      if (!labelKey.test(k)) {
        c.addIssue({
          code: "custom",
          path: [k],
          message: "label names are lower-case letters, digits and _ (up to 32)",
        });
      }
    }
    if (Object.keys(l).length > 8)
      c.addIssue({ code: "custom", message: "must hold at most 8 labels" });
  });

const num = (message: string) =>
  z.preprocess(
    // Forms send "" for an empty box; that is a missing value, not zero.
    (v) => (v === "" || v === null ? undefined : typeof v === "string" ? Number(v) : v),
    z.number({ message }).refine(Number.isFinite, "must be a finite number"),
  );
const optionalNum = (message: string) =>
  z.preprocess(
    (v) => (v === "" || v === null ? undefined : typeof v === "string" ? Number(v) : v),
    z.number({ message }).refine(Number.isFinite, "must be a finite number").optional(),
  );
const wholeIn = (min: number, max: number, unit: string, dflt: number) =>
  z.preprocess(
    (v) =>
      v === "" || v === null || v === undefined ? dflt : typeof v === "string" ? Number(v) : v,
    z
      .number({ message: `must be a number of ${unit}` })
      .int(`must be a whole number of ${unit}`)
      .min(min, `must be ${min} ${unit} or more`)
      .max(max, `must be at most ${max} ${unit}`),
  );

const PHONE = /^\+[1-9]\d{6,14}$/;
const list = (v: unknown) =>
  typeof v === "string"
    ? v
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

export const RuleInput = z
  .object({
    name: storable(
      z
        .string({ message: "is required" })
        .trim()
        .min(1, "is required")
        .max(120, "must be at most 120 characters"),
    ),
    metric: metricName,
    operator: z.preprocess(
      (v) => (typeof v === "string" && v in OPERATOR_ALIASES ? OPERATOR_ALIASES[v] : v),
      z.enum(THRESHOLD_OPERATORS, {
        message: "must be one of < (lt), <= (le), > (gt), >= (ge), = (eq)",
      }),
    ),
    threshold: num("is required and must be a number"),
    resetThreshold: optionalNum("must be a number"),
    samplePeriodMinutes: wholeIn(1, 1440, "minutes", 60),
    aggregation: z
      .enum(AGGREGATIONS, { message: `must be one of ${AGGREGATIONS.join(", ")}` })
      .default("last"),
    labelFilter: z.preprocess((v) => (v === "" || v == null ? {} : v), Labels),
    minCalls: wholeIn(0, 1_000_000, "calls", 0),
    pendingSeconds: wholeIn(0, 86_400, "seconds", 0),
    repeatMinutes: wholeIn(0, 10_080, "minutes", 0),
    noDataMinutes: z.preprocess(
      (v) => (v === "" || v === null ? undefined : typeof v === "string" ? Number(v) : v),
      z
        .number({ message: "must be a number of minutes" })
        .int("must be a whole number of minutes")
        .min(1, "must be 1 minute or more")
        .max(10_080, "must be at most 10080 minutes (a week)")
        .optional(),
    ),
    noDataAlert: z.boolean({ message: "must be true or false" }).default(false),
    area: z
      .enum(RULE_AREAS, { message: `must be one of ${RULE_AREAS.join(", ")}` })
      .default("other"),
    contactEmails: z.preprocess(
      list,
      z
        .array(
          storable(
            z
              .string()
              .trim()
              .toLowerCase()
              .max(MAX_EMAIL, `must be at most ${MAX_EMAIL} characters`),
          ).pipe(z.email({ message: "must be an email address" })),
          { message: "must be a list of email addresses" },
        )
        .max(10, "must hold at most 10 addresses")
        .default([]),
    ),
    contactPhones: z.preprocess(
      list,
      z
        .array(
          z
            .string()
            .trim()
            .regex(PHONE, "must be a phone number in E.164 form, e.g. +919812345678"),
          { message: "must be a list of phone numbers" },
        )
        .max(10, "must hold at most 10 phone numbers")
        .default([]),
    ),
    impact: z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}` }).default("minor"),
    enabled: z.boolean({ message: "must be true or false" }).default(true),
    /** A CEL expression ANDed with the threshold (lib/metrics/condition.ts); empty: none. */
    condition: z.preprocess(
      (v) => (v === "" || v === null ? undefined : v),
      storable(z.string({ message: "must be text (a CEL expression)" }).trim())
        .transform((s) => s || undefined)
        .optional(),
    ),
    /** The tenant's escalation policy paged when the rule fires; empty or null: none. */
    escalationPolicyId: z.preprocess(
      (v) => (v === "" ? null : v),
      z.uuid({ message: "must be one of your escalation policies" }).nullable().default(null),
    ),
  })
  .superRefine((v, c) => {
    const reset = v.resetThreshold;
    if (reset !== undefined) {
      if (v.operator === "eq") {
        c.addIssue({
          code: "custom",
          path: ["resetThreshold"],
          message: "has no meaning with = (the rule resets when the value differs)",
        });
      } else if ((v.operator === "lt" || v.operator === "le") && reset < v.threshold) {
        c.addIssue({
          code: "custom",
          path: ["resetThreshold"],
          message: `must be at or above the threshold ${v.threshold} for a "below" rule`,
        });
      } else if ((v.operator === "gt" || v.operator === "ge") && reset > v.threshold) {
        c.addIssue({
          code: "custom",
          path: ["resetThreshold"],
          message: `must be at or below the threshold ${v.threshold} for an "above" rule`,
        });
      }
    }
    if ((CALL_METRICS as readonly string[]).includes(v.metric)) {
      const bad = Object.keys(v.labelFilter).filter((k) => k !== "region" && k !== "trunk");
      if (bad.length) {
        c.addIssue({
          code: "custom",
          path: ["labelFilter"],
          message: `calls carry only the labels region and trunk, not ${bad.join(", ")}`,
        });
      }
    } else if (v.minCalls > 0) {
      c.addIssue({
        code: "custom",
        path: ["minCalls"],
        message: "applies only to the call metrics asr, acd, pdd and attempts",
      });
    }
    if (v.condition !== undefined) {
      const checked = checkCondition(v.metric, v.condition);
      if (!checked.ok)
        c.addIssue({ code: "custom", path: ["condition"], message: checked.message });
    }
    if (v.noDataAlert && v.noDataMinutes === undefined) {
      c.addIssue({
        code: "custom",
        path: ["noDataMinutes"],
        message: "is required to alert on no data",
      });
    }
  });
export type RuleInput = z.infer<typeof RuleInput>;

export const RuleIdInput = z.object({ ruleId: z.uuid({ message: "must be a threshold rule id" }) });
export const UpdateRuleInput = z.intersection(RuleInput, RuleIdInput);

const at = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 time with a zone" })
  .refine((s) => inDateRange(new Date(s)), { message: DATE_RANGE_MESSAGE });

const MAX_ITEMS = 5000;
const labelText = storable(z.string({ message: "must be text" }).trim().min(1).max(64));

export const MetricsInput = z
  .object({
    /** A platform key names the tenant it posts for (slug); a tenant key may name only itself. */
    tenant: z.string({ message: "must be an organization slug" }).trim().min(1).optional(),
    samples: z
      .array(
        z.object({
          metric: metricName,
          value: z
            .number({ message: "must be a number" })
            .refine(Number.isFinite, "must be a finite number"),
          at: at.optional(),
          labels: Labels.optional(),
        }),
        { message: "must be a list of { metric, value, at?, labels? }" },
      )
      .default([]),
    calls: z
      .array(
        z.object({
          at: at.optional(),
          answered: z.boolean({ message: "must be true or false" }),
          durationSeconds: z
            .number({ message: "must be a number of seconds" })
            .min(0, "must be 0 or more")
            .max(86_400 * 7, "must be at most a week")
            .default(0),
          pddMs: z
            .number({ message: "must be a number of milliseconds" })
            .int("must be a whole number of milliseconds")
            .min(0, "must be 0 or more")
            .max(600_000, "must be at most 600000")
            .optional(),
          region: labelText.optional(),
          trunk: labelText.optional(),
        }),
        {
          message: "must be a list of { at?, answered, durationSeconds, pddMs?, region?, trunk? }",
        },
      )
      .default([]),
  })
  .superRefine((v, c) => {
    if (v.samples.length + v.calls.length === 0) {
      c.addIssue({
        code: "custom",
        path: ["samples"],
        message: "must hold at least one sample (or send calls)",
      });
    }
    if (v.samples.length + v.calls.length > MAX_ITEMS) {
      c.addIssue({
        code: "custom",
        path: ["samples"],
        message: `must hold at most ${MAX_ITEMS} samples and calls per request`,
      });
    }
  });
