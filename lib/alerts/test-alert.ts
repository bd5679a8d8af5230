import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { MAX_EMAIL, storable } from "@/lib/validation";
import {
  alertEndpoints,
  alertRecipients,
  deliveries,
  memberships,
  notificationJobs,
  users,
  type TraceStep,
} from "@/db/schema";
import type { Tx } from "@/db";
import type { Ctx } from "@/lib/context";
import { requirePermission, withTransaction } from "@/lib/context";
import { wakeJobDriverOnCommit } from "./outbox";
import { recordAudit } from "@/lib/audit";
import { hit, limitedFor, type Limit } from "@/lib/auth/rate-limit";
import { normalizeEmail } from "@/lib/auth/normalize";
import { NotFoundError, parseInput, RateLimitedError, ValidationError } from "@/lib/errors";
import type { DeliverOutcome } from "./outcomes";
import { processDelivery, type DeliverOptions } from "./send";

export const TestAlertInput = z
  .object({
    channel: z.enum(["email", "sms", "slack", "teams", "webhook", "in_app"], {
      message: "must be one of email, sms, slack, teams, webhook, in_app",
    }),
    /** email address or phone number (email/sms); defaults to your own email for email. */
    to: storable(
      z.string().trim().max(MAX_EMAIL, `must be at most ${MAX_EMAIL} characters`),
    ).optional(),
    /** slack/teams/webhook: which endpoint. */
    endpointId: z.uuid({ message: "must be an endpoint id" }).optional(),
  })
  .strict()
  .superRefine((v, c) => {
    if (v.channel === "sms" && !(v.to && /^\+[1-9]\d{6,14}$/.test(v.to))) {
      c.addIssue({
        code: "custom",
        path: ["to"],
        message: "must be a phone number in E.164 form, e.g. +919812345678",
      });
    }
    if (v.channel === "email" && v.to !== undefined && !z.email().safeParse(v.to).success) {
      c.addIssue({ code: "custom", path: ["to"], message: "must be an email address" });
    }
    if (["slack", "teams", "webhook"].includes(v.channel) && !v.endpointId) {
      c.addIssue({ code: "custom", path: ["endpointId"], message: `is required for ${v.channel}` });
    }
  });

/** Test sends an organization may make in an hour, in all and to any one destination. */
export const TEST_ALERTS_PER_ORG_PER_HOUR = 20;
export const TEST_ALERTS_PER_DESTINATION_PER_HOUR = 5;
const HOUR_MS = 60 * 60 * 1000;

export const NOT_OWN_DESTINATION =
  "send test alerts only to your organization's members, recipients or endpoints";

/**
 * Whether an email address or phone number belongs to the organization: a member's email or
 * phone, or one of its extra alert recipients on that channel. Anything else is refused, so a
 * test send cannot be pointed at an arbitrary (paid) destination.
 */
async function isOwnDestination(
  tx: Tx,
  orgId: string,
  channel: "email" | "sms",
  address: string,
): Promise<boolean> {
  const memberMatch =
    channel === "email" ? sql`lower(${users.email}) = ${address}` : eq(users.phone, address);
  const [member] = await tx
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), memberMatch))
    .limit(1);
  if (member) return true;
  const recipientMatch =
    channel === "email"
      ? sql`lower(${alertRecipients.address}) = ${address}`
      : eq(alertRecipients.address, address);
  const [recipient] = await tx
    .select({ id: alertRecipients.id })
    .from(alertRecipients)
    .where(
      and(eq(alertRecipients.orgId, orgId), eq(alertRecipients.channel, channel), recipientMatch),
    )
    .limit(1);
  return Boolean(recipient);
}

/** Counts one test send against the organization's and the destination's hourly limits. */
async function countTestSend(tx: Tx, orgId: string, channel: string, destination: string) {
  const limits: (Limit & { message: string })[] = [
    {
      key: `test-alert:org:${orgId}`,
      max: TEST_ALERTS_PER_ORG_PER_HOUR,
      windowMs: HOUR_MS,
      message: `Too many test alerts: at most ${TEST_ALERTS_PER_ORG_PER_HOUR} an hour for your organization`,
    },
    {
      key: `test-alert:dest:${orgId}:${channel}:${destination}`,
      max: TEST_ALERTS_PER_DESTINATION_PER_HOUR,
      windowMs: HOUR_MS,
      message: `Too many test alerts to this destination: at most ${TEST_ALERTS_PER_DESTINATION_PER_HOUR} an hour`,
    },
  ];
  const now = new Date();
  for (const limit of limits) {
    if ((await hit(tx, limit, now)) > limit.max) {
      // The transaction rolls back, so a refused send is not counted.
      throw new RateLimitedError(limit.message, Math.max(await limitedFor(tx, limit, now), 1));
    }
  }
}

export interface TestAlertResult {
  jobId: string;
  deliveryIds: string[];
  /** Present when the test was sent right away (the settings screen shows it in place). */
  outcome?: DeliverOutcome;
}

/**
 * "Send test alert": one delivery to the chosen destination, bypassing routing (the trace says
 * so), recorded like any other. With `deliverNow` it is sent within the request.
 */
export async function sendTestAlert({
  ctx,
  input,
  deliverNow = false,
  deliverOptions,
}: {
  ctx: Ctx;
  input: unknown;
  deliverNow?: boolean;
  deliverOptions?: DeliverOptions;
}): Promise<TestAlertResult> {
  requirePermission(ctx, "alerts:manage");
  if (ctx.org.kind !== "tenant") throw new NotFoundError("Alert settings");
  const data = parseInput(TestAlertInput, input);
  const created = await withTransaction(ctx, async (tx) => {
    let destination: string;
    let recipientType: "member" | "recipient" | "endpoint" = "recipient";
    let recipientId: string | null = null;
    if (data.channel === "in_app" || (data.channel === "email" && !data.to)) {
      if (ctx.actor.type !== "user") {
        throw new ValidationError([
          { field: "to", message: `is required when not signed in as a user` },
        ]);
      }
      destination = ctx.actor.email;
      recipientType = "member";
      recipientId = ctx.actor.id;
    } else if (data.channel === "email" || data.channel === "sms") {
      destination = data.channel === "email" ? normalizeEmail(data.to!) : data.to!;
      if (!(await isOwnDestination(tx, ctx.org.id, data.channel, destination))) {
        throw new ValidationError([{ field: "to", message: NOT_OWN_DESTINATION }]);
      }
    } else {
      const [e] = await tx
        .select()
        .from(alertEndpoints)
        .where(and(eq(alertEndpoints.id, data.endpointId!), eq(alertEndpoints.orgId, ctx.org.id)));
      if (!e) throw new NotFoundError("Endpoint");
      if (e.type !== data.channel) {
        throw new ValidationError([
          { field: "endpointId", message: `is a ${e.type} endpoint, not ${data.channel}` },
        ]);
      }
      destination = `${e.name} (${e.urlHint})`;
      recipientType = "endpoint";
      recipientId = e.id;
    }
    await countTestSend(tx, ctx.org.id, data.channel, recipientId ?? destination);
    const [job] = await tx
      .insert(notificationJobs)
      .values({
        orgId: ctx.org.id,
        kind: "alert.test",
        status: "planned",
        plannedAt: new Date(),
        payload: {
          title: "Test alert from Beacon",
          category: "infrastructure",
          impact: "none",
          audience: { type: "tenant", orgId: ctx.org.id },
          componentIds: [],
          regionIds: [],
          message: `This is a test of your ${data.channel} alert destination, sent by ${ctx.actor.type === "user" ? ctx.actor.email : "the API"}.`,
          url: "/portal/alerts",
          test: { channel: data.channel, destination, endpointId: data.endpointId },
        },
      })
      .returning();
    const trace: TraceStep[] = [
      {
        step: "test",
        outcome: "info",
        detail:
          "Test alert to the chosen destination; routing rules, quiet hours and digests do not apply",
      },
    ];
    const [d] = await tx
      .insert(deliveries)
      .values({
        jobId: job!.id,
        orgId: ctx.org.id,
        channel: data.channel,
        recipientType,
        recipientId,
        destination,
        idempotencyKey: `${job!.id}:test`,
        status: "pending",
        maxAttempts: 1,
        trace,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "alert.test",
      targetType: "delivery",
      targetId: d!.id,
      data: { channel: data.channel, destination },
    });
    // Sent within the request when deliverNow; otherwise the job driver sends it.
    if (!deliverNow) wakeJobDriverOnCommit(tx);
    return { jobId: job!.id, deliveryIds: [d!.id] };
  });
  if (!deliverNow) return created;
  const outcome = await processDelivery(ctx.db, created.deliveryIds[0]!, deliverOptions);
  return { ...created, outcome };
}
