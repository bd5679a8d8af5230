import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db";
import {
  supportSettings,
  supportTiers,
  TICKET_SEVERITIES,
  type BusinessCalendar,
  type SlaTargets,
  type SupportTier,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { isValidTimeZone } from "@/lib/alerts/schedule";
import { storable } from "@/lib/validation";
import { formatTimeOfDay, parseTimeOfDay } from "./business-hours";

/**
 * The escalation matrix (seed 001) and the business calendar the SLA clocks count in. Both belong
 * to the platform: platform admins (`support:manage`) edit them; tenants read the matrix on
 * /portal/support and everyone on the public /support page.
 */

export const DEFAULT_TIERS: Omit<SupportTier, "updatedAt">[] = [
  {
    tier: 1,
    name: "Customer Support",
    description:
      "Your first point of contact for all standard queries, requests and issues. The support team handles the majority of concerns.",
    phone: null,
    email: null,
  },
  {
    tier: 2,
    name: "Level 1 Escalation",
    description:
      "When a Tier 1 response is late or its resolution is unsatisfactory: a dedicated escalation team for faster intervention.",
    phone: null,
    email: null,
  },
  {
    tier: 3,
    name: "Level 2 Escalation",
    description:
      "The final stage, for high-impact or unresolved issues that need senior management. Submitted through the escalation form with a valid Tier 2 ticket ID.",
    phone: null,
    email: null,
  },
];

/** Seed 001's SLA: acknowledge within 2–8 and resolve within 4–24 business hours by severity. */
export const DEFAULT_TARGETS: SlaTargets = {
  critical: { acknowledgeHours: 2, resolveHours: 4 },
  high: { acknowledgeHours: 4, resolveHours: 8 },
  medium: { acknowledgeHours: 6, resolveHours: 16 },
  low: { acknowledgeHours: 8, resolveHours: 24 },
};

export const DEFAULT_CALENDAR: BusinessCalendar = {
  timeZone: "Asia/Kolkata",
  days: [1, 2, 3, 4, 5],
  startMinute: 9 * 60,
  endMinute: 18 * 60,
  holidays: [],
};

/** The three tiers, with the defaults for any not yet edited. */
export async function getSupportMatrix(db: Db | Tx): Promise<Omit<SupportTier, "updatedAt">[]> {
  const rows = await db.select().from(supportTiers).orderBy(asc(supportTiers.tier));
  return DEFAULT_TIERS.map((d) => rows.find((r) => r.tier === d.tier) ?? d);
}

export interface SupportSettings {
  calendar: BusinessCalendar;
  targets: SlaTargets;
}

export async function getSupportSettings(db: Db | Tx): Promise<SupportSettings> {
  const [row] = await db.select().from(supportSettings).where(eq(supportSettings.id, 1));
  return row
    ? { calendar: row.calendar, targets: row.targets }
    : { calendar: DEFAULT_CALENDAR, targets: DEFAULT_TARGETS };
}

const optionalText = (max: number) =>
  storable(z.string().trim().max(max, `must be at most ${max} characters`))
    .optional()
    .transform((s) => (s ? s : null));

export const UpdateTierInput = z.object({
  tier: z.coerce
    .number({ message: "must be 1, 2 or 3" })
    .int("must be 1, 2 or 3")
    .min(1, "must be 1, 2 or 3")
    .max(3, "must be 1, 2 or 3"),
  name: storable(z.string({ message: "is required" }).trim().min(1, "is required").max(80)),
  description: storable(
    z.string({ message: "is required" }).trim().min(1, "is required").max(600, "is too long"),
  ),
  phone: optionalText(40).refine((p) => p === null || /^\+?[0-9 ()-]{6,40}$/.test(p), {
    message: "must be a phone number (digits, spaces, + ( ) -)",
  }),
  email: optionalText(254).refine((e) => e === null || z.email().safeParse(e).success, {
    message: "must be an email address",
  }),
});

export async function updateSupportTier({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "support:manage");
  const v = parseInput(UpdateTierInput, input);
  return withTransaction(ctx, async (tx) => {
    const values = { ...v, updatedAt: new Date() };
    const [row] = await tx
      .insert(supportTiers)
      .values(values)
      .onConflictDoUpdate({ target: supportTiers.tier, set: values })
      .returning();
    await recordAudit(tx, ctx, {
      action: "support.tier_updated",
      targetType: "support_tier",
      targetId: String(v.tier),
      data: { name: v.name, phone: v.phone, email: v.email },
    });
    return row!;
  });
}

const hours = (what: string) =>
  z.coerce
    .number({ message: `${what} must be a number of hours` })
    .min(0.25, `${what} must be at least 0.25 hours`)
    .max(500, `${what} must be at most 500 hours`);

export const UpdateSettingsInput = z
  .object({
    timeZone: z
      .string({ message: "is required" })
      .trim()
      .refine(isValidTimeZone, { message: "must be a time zone such as Asia/Kolkata" }),
    days: z
      .array(z.coerce.number().int().min(1).max(7), { message: "must be a list of weekdays" })
      .min(1, "must include at least one working day"),
    opens: z.string({ message: "is required" }).refine((s) => parseTimeOfDay(s) !== null, {
      message: "must be a time such as 09:00",
    }),
    closes: z.string({ message: "is required" }).refine((s) => parseTimeOfDay(s) !== null, {
      message: "must be a time such as 18:00",
    }),
    holidays: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be dates as YYYY-MM-DD" }), {
        message: "must be a list of dates",
      })
      .max(366, "must have at most 366 dates"),
    targets: z.object(
      Object.fromEntries(
        TICKET_SEVERITIES.map((s) => [
          s,
          z.object({ acknowledgeHours: hours("acknowledge"), resolveHours: hours("resolve") }),
        ]),
      ) as Record<
        (typeof TICKET_SEVERITIES)[number],
        z.ZodObject<{
          acknowledgeHours: ReturnType<typeof hours>;
          resolveHours: ReturnType<typeof hours>;
        }>
      >,
    ),
  })
  .superRefine((v, c) => {
    const open = parseTimeOfDay(v.opens);
    const close = parseTimeOfDay(v.closes);
    if (open !== null && close !== null && close <= open) {
      c.addIssue({ code: "custom", path: ["closes"], message: "must be later than opens" });
    }
    for (const s of TICKET_SEVERITIES) {
      const t = v.targets[s];
      if (t && t.resolveHours < t.acknowledgeHours) {
        c.addIssue({
          code: "custom",
          path: ["targets", s, "resolveHours"],
          message: "must be at least the acknowledge target",
        });
      }
    }
  });

export async function updateSupportSettings({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "support:manage");
  const v = parseInput(UpdateSettingsInput, input);
  const calendar: BusinessCalendar = {
    timeZone: v.timeZone,
    days: [...new Set(v.days)].sort(),
    startMinute: parseTimeOfDay(v.opens)!,
    endMinute: parseTimeOfDay(v.closes)!,
    holidays: [...new Set(v.holidays)].sort(),
  };
  const targets = v.targets as SlaTargets;
  return withTransaction(ctx, async (tx) => {
    const values = { id: 1, calendar, targets, updatedAt: new Date() };
    await tx
      .insert(supportSettings)
      .values(values)
      .onConflictDoUpdate({ target: supportSettings.id, set: values });
    await recordAudit(tx, ctx, {
      action: "support.settings_updated",
      targetType: "support_settings",
      data: {
        timeZone: calendar.timeZone,
        days: calendar.days,
        hours: `${formatTimeOfDay(calendar.startMinute)}–${formatTimeOfDay(calendar.endMinute)}`,
        holidays: calendar.holidays.length,
      },
    });
    return { calendar, targets };
  });
}
