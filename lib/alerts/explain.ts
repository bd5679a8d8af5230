import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { storable } from "@/lib/validation";
import {
  alertEndpoints,
  alertRecipients,
  deliveries,
  memberships,
  notificationJobs,
  users,
  type NotificationJob,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission } from "@/lib/context";
import { NotFoundError, parseInput } from "@/lib/errors";
import { ROLE_GROUP_LABELS, type TenantRole } from "@/lib/auth/roles";
import {
  dryRunPlan,
  endpointSource,
  matrixGates,
  memberSource,
  recipientSource,
  type DryRunRow,
  type MatrixGates,
  type OneRecipient,
} from "./plan";

export const ExplainInput = z
  .object({
    incidentId: z.uuid({ message: "must be an incident id" }).optional(),
    jobId: z.uuid({ message: "must be a notification id" }).optional(),
    userId: z.uuid({ message: "must be a member id" }).optional(),
    endpointId: z.uuid({ message: "must be an endpoint id" }).optional(),
    /** An extra recipient's address (email or phone number), as listed in Alerts & Notifications. */
    address: storable(z.string().trim().min(1).max(200)).optional(),
  })
  .superRefine((v, c) => {
    if (!v.incidentId && !v.jobId)
      c.addIssue({
        code: "custom",
        path: ["incidentId"],
        message: "pick an incident (or a notification)",
      });
    if ([v.userId, v.endpointId, v.address].filter(Boolean).length !== 1)
      c.addIssue({
        code: "custom",
        path: ["userId"],
        message: "pick exactly one member, endpoint or extra recipient",
      });
  });

type Step = { step: string; outcome: string; detail: string };

export interface Explanation {
  subject: string;
  notifications: {
    jobId: string;
    title: string;
    kind: string;
    category: string;
    createdAt: Date;
    decisions: {
      channel: string;
      status: string;
      deliveryId: string | null;
      steps: Step[];
    }[];
  }[];
}

/** Who is asked about: the dry run's restriction, the channels shown, and the stored deliveries. */
interface Subject {
  label: string;
  who: NonNullable<OneRecipient>;
  kind: "member" | "endpoint" | "recipient";
  channels: string[];
  stored: SQL;
}

async function subjectOf(ctx: Ctx, f: z.infer<typeof ExplainInput>): Promise<Subject> {
  const org = ctx.org.id;
  if (f.userId) {
    const [m] = await ctx.db
      .select({ role: memberships.role, email: users.email, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.userId, f.userId), eq(memberships.orgId, org)));
    if (!m) throw new NotFoundError("Member");
    return {
      label: `${m.name || m.email} (${ROLE_GROUP_LABELS[m.role as TenantRole] ?? m.role})`,
      who: { member: f.userId },
      kind: "member",
      channels: ["email", "sms", "in_app"],
      stored: eq(deliveries.recipientId, f.userId),
    };
  }
  if (f.endpointId) {
    const [e] = await ctx.db
      .select()
      .from(alertEndpoints)
      .where(and(eq(alertEndpoints.id, f.endpointId), eq(alertEndpoints.orgId, org)));
    if (!e) throw new NotFoundError("Endpoint");
    return {
      label: `${e.name} (${e.type}, ${e.urlHint})`,
      who: { endpoint: f.endpointId },
      kind: "endpoint",
      channels: [e.type],
      stored: eq(deliveries.recipientId, f.endpointId),
    };
  }
  // An extra recipient is known by its address: its listing is replaced whenever the settings are
  // saved, so its id does not outlive the deliveries made to it.
  const address = f.address!;
  const listed = await ctx.db
    .select({ channel: alertRecipients.channel, roleGroup: alertRecipients.roleGroup })
    .from(alertRecipients)
    .where(
      and(
        eq(alertRecipients.orgId, org),
        sql`lower(${alertRecipients.address}) = lower(${address})`,
      ),
    );
  if (listed.length === 0) throw new NotFoundError("Extra recipient");
  const groups = [...new Set(listed.map((l) => ROLE_GROUP_LABELS[l.roleGroup] ?? l.roleGroup))];
  return {
    label: `${address} (extra recipient of ${groups.join(", ")})`,
    who: { address },
    kind: "recipient",
    channels: [...new Set(listed.map((l) => l.channel as string))],
    stored: and(
      eq(deliveries.recipientType, "recipient"),
      sql`lower(${deliveries.destination}) = lower(${address})`,
    )!,
  };
}

/** This organization's extra recipients' addresses, for the explainer's picker. */
export async function listRecipientAddresses({ ctx }: { ctx: Ctx }): Promise<string[]> {
  requirePermission(ctx, "deliveries:read");
  const rows = await ctx.db
    .selectDistinct({ address: alertRecipients.address })
    .from(alertRecipients)
    .where(eq(alertRecipients.orgId, ctx.org.id))
    .orderBy(asc(alertRecipients.address));
  return rows.map((r) => r.address);
}

/**
 * "Why did or didn't this person (or endpoint, or extra recipient) get this alert?": for each
 * notification of the incident, every channel's decision in order. Where planning wrote a
 * delivery, its status and stored trace. Where it did not, planning's own statement is run for
 * this one recipient without writing (dryRunPlan, at the job's planning time): if it forms no
 * candidate, the first routing condition that failed (category, channel not ticked, topic, no
 * phone, with the same SQL fragments planning filters by); a disabled endpoint is planned as a
 * skipped delivery, so its verdict is that row's ("skipped: endpoint disabled on …"); if it does, the
 * address was reached through another route (the delivery under the same key), or the settings
 * changed since. The explanation and the sending therefore cannot disagree.
 */
export async function explainRouting({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<Explanation> {
  requirePermission(ctx, "deliveries:read");
  const f = parseInput(ExplainInput, input);
  const org = ctx.org.id;
  const subject = await subjectOf(ctx, f);
  // Notifications that reached this tenant's audience: tenant-specific ones for this org, and public ones.
  const jobs = await ctx.db
    .select()
    .from(notificationJobs)
    .where(
      and(
        f.jobId
          ? eq(notificationJobs.id, f.jobId)
          : sql`${notificationJobs.payload} ->> 'incidentId' = ${f.incidentId!}`,
        sql`(${notificationJobs.payload} -> 'audience' ->> 'type' = 'public' or ${notificationJobs.payload} -> 'audience' ->> 'orgId' = ${org})`,
      ),
    )
    .orderBy(asc(notificationJobs.createdAt));
  if (jobs.length === 0) return { subject: subject.label, notifications: [] };

  const stored = await ctx.db
    .select()
    .from(deliveries)
    .where(
      and(
        inArray(
          deliveries.jobId,
          jobs.map((j) => j.id),
        ),
        eq(deliveries.orgId, org),
        subject.stored,
      ),
    );
  // An address may have been listed on another channel when the alert went out.
  for (const r of stored)
    if (!subject.channels.includes(r.channel)) subject.channels.push(r.channel);
  const storedOf = (jobId: string, channel: string) =>
    stored.find((r) => r.jobId === jobId && r.channel === channel);
  const missing = (j: NotificationJob) =>
    j.status === "planned" && subject.channels.some((ch) => !storedOf(j.id, ch));

  // Only what planning did not write needs explaining: dry-run the jobs that lack a channel.
  const planned = jobs.filter(missing);
  const dry = await dryRunPlan(ctx.db, planned, ctx.org, subject.who);
  const dryOf = (jobId: string, channel: string) =>
    dry.find((r) => r.jobId === jobId && r.channel === channel);
  const unexplained = (j: NotificationJob) =>
    j.kind !== "user.warning" &&
    !j.payload.test &&
    subject.channels.some((ch) => !storedOf(j.id, ch) && !dryOf(j.id, ch));
  const source =
    subject.kind === "member"
      ? memberSource(f.userId!)
      : subject.kind === "endpoint"
        ? endpointSource(f.endpointId!)
        : recipientSource(f.address!);
  const gates = await matrixGates(ctx.db, planned.filter(unexplained), org, source);
  // A candidate planning did not write for this recipient: whose delivery holds its key?
  const keys = planned.flatMap((j) =>
    subject.channels
      .filter((ch) => !storedOf(j.id, ch))
      .flatMap((ch) => dryOf(j.id, ch)?.idempotencyKey ?? []),
  );
  const taken =
    keys.length === 0
      ? []
      : await ctx.db
          .select()
          .from(deliveries)
          .where(and(inArray(deliveries.idempotencyKey, keys), eq(deliveries.orgId, org)));

  const notifications: Explanation["notifications"] = jobs.map((job) => ({
    jobId: job.id,
    title: job.payload.title,
    kind: job.kind,
    category: job.payload.category,
    createdAt: job.createdAt,
    decisions: subject.channels.map((ch) => {
      const row = storedOf(job.id, ch);
      if (row) return { channel: ch, status: row.status, deliveryId: row.id, steps: row.trace };
      const d = dryOf(job.id, ch);
      const steps = whyNot(job, ch, subject, {
        dry: d,
        taken: d && taken.find((t) => t.idempotencyKey === d.idempotencyKey),
        gates: gates.find((g) => g.jobId === job.id && g.channel === ch),
      });
      return { channel: ch, status: "not sent", deliveryId: null, steps };
    }),
  }));
  return { subject: subject.label, notifications };
}

const RECIPIENT_NAMES: Record<string, string> = {
  member: "a member",
  recipient: "an extra recipient",
  endpoint: "an endpoint",
};

/** Why planning wrote no delivery on `channel` for the subject, from the dry run. */
function whyNot(
  job: NotificationJob,
  channel: string,
  subject: Subject,
  found: {
    dry?: DryRunRow;
    taken?: { recipientType: string; destination: string; status: string };
    gates?: MatrixGates;
  },
): Step[] {
  if (job.status !== "planned")
    return [{ step: "planning", outcome: "info", detail: `not planned yet (${job.status})` }];
  if (job.payload.test)
    return [
      {
        step: "test",
        outcome: "info",
        detail: "a test alert goes only to the destination it was sent to",
      },
    ];
  const { dry, taken, gates } = found;
  if (dry && taken)
    return [
      {
        step: "rule",
        outcome: "info",
        detail: `a matching rule exists; the same address was reached through another route (${RECIPIENT_NAMES[taken.recipientType] ?? taken.recipientType}: ${taken.destination}, ${taken.status})`,
      },
    ];
  if (dry)
    return [
      {
        step: "planning",
        outcome: "info",
        detail: `no delivery was planned on ${channel}; the settings have changed since, and planning it now would make it ${dry.status}:`,
      },
      ...dry.trace,
    ];
  if (job.kind === "user.warning")
    return [
      {
        step: "rule",
        outcome: "suppressed",
        detail:
          subject.kind === "member"
            ? "this user-level warning was addressed to other members"
            : `user-level warnings go to members, never to ${subject.kind === "endpoint" ? "endpoints" : "extra recipients"}`,
      },
    ];
  if (!gates?.settings)
    return [
      { step: "settings", outcome: "suppressed", detail: "this tenant had no alert settings" },
    ];
  const failed = gates.passed.find((g) => !g.ok)?.gate;
  const groups = gates.roleGroups.filter((g): g is string => g !== null);
  const who = groups.length
    ? groups.map((g) => ROLE_GROUP_LABELS[g as TenantRole] ?? g).join(" or ")
    : "any role group";
  const category = job.payload.category;
  switch (failed) {
    case "rule":
      return [
        {
          step: "rule",
          outcome: "suppressed",
          detail: `${channel} is not ticked for ${who} in ${category}`,
        },
      ];
    case "topic":
      return [
        {
          step: "rule",
          outcome: "suppressed",
          detail: `${channel} for ${who} in ${category} is only for ${gates.topics.join(", ")} alerts`,
        },
      ];
    case "member_channel":
      return [
        {
          step: "rule",
          outcome: "suppressed",
          detail: `members are not alerted on ${channel}; an endpoint is`,
        },
      ];
    case "phone":
      return [
        {
          step: "recipient",
          outcome: "suppressed",
          detail: "no phone number on this member's profile",
        },
      ];
    default:
      return [
        {
          step: "routing",
          outcome: "suppressed",
          detail: "routing forms no delivery for this recipient on this channel",
        },
      ];
  }
}
