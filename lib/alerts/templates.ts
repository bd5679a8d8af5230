import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import {
  alertTemplates,
  organizations,
  TEMPLATE_CHANNELS,
  thresholdRules,
  type AlertTemplate,
  type Channel,
  type RecipientType,
  type TemplateChannel,
  type TraceStep,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { channelSettingsFromEnv } from "@/lib/channels/settings";
import type { AlertItem } from "@/lib/channels/message";
import {
  checkTemplate,
  MAX_TEMPLATE_BODY,
  MAX_TEMPLATE_SUBJECT,
  renderTemplate,
  SAMPLE_KINDS,
  sampleItem,
  templatableKind,
  TemplateError,
  templateVariables,
  type CustomText,
  type TemplateIssue,
} from "@/lib/channels/templates";
import type { Ctx } from "@/lib/context";
import { requirePermission, withTransaction } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, isUuid, parseTargetInput } from "@/lib/ids";
import { CHANNEL_LABELS } from "@/lib/labels";

/**
 * Custom alert templates: a tenant's own wording per channel, for all its alerts or for one
 * threshold rule's. The rendering rules are lib/channels/templates.ts; here are the verbs that
 * keep them (checked at save: a template that does not parse or render is refused with its line)
 * and the look-up the sender uses (rule > tenant > Beacon's default).
 */

const channelField = z.enum(TEMPLATE_CHANNELS, {
  message: `must be one of ${TEMPLATE_CHANNELS.join(", ")} (a webhook's body is fixed)`,
});

const bodyField = z
  .string({ message: "is required" })
  .max(MAX_TEMPLATE_BODY, `must be at most ${MAX_TEMPLATE_BODY} characters`)
  .refine((s) => s.trim().length > 0, "is required");

const subjectField = z
  .string()
  .max(MAX_TEMPLATE_SUBJECT, `must be at most ${MAX_TEMPLATE_SUBJECT} characters`)
  .optional()
  .nullable();

const CreateInput = z
  .object({
    channel: channelField,
    thresholdRuleId: idOf("threshold rule").optional().nullable(),
    subject: subjectField,
    body: bodyField,
  })
  .strict();

const UpdateInput = z
  .object({ id: idOf("template"), subject: subjectField, body: bodyField })
  .strict();

const IdInput = z.object({ id: idOf("template") }).strict();

const PreviewInput = z
  .object({
    channel: channelField,
    subject: z.string().max(MAX_TEMPLATE_SUBJECT).optional().nullable(),
    body: z.string().max(MAX_TEMPLATE_BODY, `must be at most ${MAX_TEMPLATE_BODY} characters`),
    sample: z.enum(SAMPLE_KINDS).optional(),
  })
  .strict();

/** Templates belong to customer organizations. */
function tenantOnly(ctx: Ctx) {
  if (ctx.org.kind !== "tenant") throw new NotFoundError("Alert templates");
}

/** "line 3, column 7: undefined filter: upcse", as a field error says it. */
export function describeIssue(i: Pick<TemplateIssue, "line" | "column" | "reason">): string {
  return `line ${i.line}, column ${i.column}: ${i.reason}`;
}

async function refuseBroken(
  ctx: Ctx,
  channel: TemplateChannel,
  subject: string | null,
  body: string,
): Promise<void> {
  const fields: { field: string; message: string }[] = [];
  if (channel === "email" && !subject?.trim())
    fields.push({ field: "subject", message: "is required for email" });
  const issues = await checkTemplate(
    { channel, subject, body },
    { appUrl: channelSettingsFromEnv().appUrl, orgName: ctx.org.name },
  );
  for (const i of issues) {
    if (!fields.some((f) => f.field === i.field))
      fields.push({ field: i.field, message: describeIssue(i) });
  }
  if (fields.length) throw new ValidationError(fields);
}

export interface TemplateRow extends AlertTemplate {
  ruleName: string | null;
}

/** The tenant's templates, tenant-wide ones first, then per rule. */
export async function listTemplates({ ctx }: { ctx: Ctx }): Promise<TemplateRow[]> {
  requirePermission(ctx, "alerts:manage");
  tenantOnly(ctx);
  const rows = await ctx.db
    .select({ t: alertTemplates, ruleName: thresholdRules.name })
    .from(alertTemplates)
    .leftJoin(thresholdRules, eq(thresholdRules.id, alertTemplates.thresholdRuleId))
    .where(eq(alertTemplates.orgId, ctx.org.id))
    .orderBy(
      sql`${alertTemplates.thresholdRuleId} is not null`,
      asc(thresholdRules.name),
      asc(alertTemplates.channel),
    );
  return rows.map((r) => ({ ...r.t, ruleName: r.ruleName }));
}

/** The threshold rules a template may be for (the tenant's own). */
export async function templateRuleChoices({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "alerts:manage");
  tenantOnly(ctx);
  return ctx.db
    .select({ id: thresholdRules.id, name: thresholdRules.name })
    .from(thresholdRules)
    .where(eq(thresholdRules.orgId, ctx.org.id))
    .orderBy(asc(thresholdRules.name));
}

function scopeWords(channel: TemplateChannel, ruleName: string | null): string {
  return `${CHANNEL_LABELS[channel]} template ${ruleName ? `for the rule “${ruleName}”` : "for all alerts"}`;
}

export async function createTemplate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "alerts:manage");
  tenantOnly(ctx);
  const data = parseInput(CreateInput, input);
  const subject = data.channel === "email" ? (data.subject ?? null) : null;
  await refuseBroken(ctx, data.channel, subject, data.body);
  return withTransaction(ctx, async (tx) => {
    let ruleName: string | null = null;
    if (data.thresholdRuleId) {
      const [rule] = await tx
        .select({ name: thresholdRules.name })
        .from(thresholdRules)
        .where(
          and(eq(thresholdRules.id, data.thresholdRuleId), eq(thresholdRules.orgId, ctx.org.id)),
        );
      // Another tenant's rule is as unknown as one that does not exist.
      if (!rule) throw new NotFoundError("Threshold rule");
      ruleName = rule.name;
    }
    const [existing] = await tx
      .select({ id: alertTemplates.id })
      .from(alertTemplates)
      .where(
        and(
          eq(alertTemplates.orgId, ctx.org.id),
          eq(alertTemplates.channel, data.channel),
          data.thresholdRuleId
            ? eq(alertTemplates.thresholdRuleId, data.thresholdRuleId)
            : isNull(alertTemplates.thresholdRuleId),
        ),
      );
    if (existing) {
      throw new ValidationError([
        {
          field: "channel",
          message: `there is already an ${scopeWords(data.channel, ruleName)}: edit that one`,
        },
      ]);
    }
    const [row] = await tx
      .insert(alertTemplates)
      .values({
        orgId: ctx.org.id,
        channel: data.channel,
        thresholdRuleId: data.thresholdRuleId ?? null,
        subject,
        body: data.body,
        updatedBy: ctx.actor.type === "user" ? ctx.actor.id : null,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "alert_template.created",
      targetType: "alert_template",
      targetId: row!.id,
      data: {
        channel: data.channel,
        thresholdRuleId: data.thresholdRuleId ?? null,
        subject,
        body: data.body,
      },
    });
    return row!;
  });
}

export async function updateTemplate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "alerts:manage");
  tenantOnly(ctx);
  const data = parseTargetInput(UpdateInput, input, { field: "id", notFound: "Template" });
  const [current] = await ctx.db
    .select()
    .from(alertTemplates)
    .where(and(eq(alertTemplates.id, data.id), eq(alertTemplates.orgId, ctx.org.id)));
  if (!current) throw new NotFoundError("Template");
  const channel = current.channel as TemplateChannel;
  const subject = channel === "email" ? (data.subject ?? null) : null;
  await refuseBroken(ctx, channel, subject, data.body);
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(alertTemplates)
      .set({
        subject,
        body: data.body,
        updatedAt: new Date(),
        updatedBy: ctx.actor.type === "user" ? ctx.actor.id : null,
      })
      .where(and(eq(alertTemplates.id, data.id), eq(alertTemplates.orgId, ctx.org.id)))
      .returning();
    if (!row) throw new NotFoundError("Template");
    await recordAudit(tx, ctx, {
      action: "alert_template.updated",
      targetType: "alert_template",
      targetId: row.id,
      data: {
        channel,
        thresholdRuleId: row.thresholdRuleId,
        before: { subject: current.subject, body: current.body },
        after: { subject, body: data.body },
      },
    });
    return row;
  });
}

export async function deleteTemplate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "alerts:manage");
  tenantOnly(ctx);
  const { id } = parseTargetInput(IdInput, input, { field: "id", notFound: "Template" });
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .delete(alertTemplates)
      .where(and(eq(alertTemplates.id, id), eq(alertTemplates.orgId, ctx.org.id)))
      .returning();
    if (!row) throw new NotFoundError("Template");
    await recordAudit(tx, ctx, {
      action: "alert_template.deleted",
      targetType: "alert_template",
      targetId: id,
      data: {
        channel: row.channel,
        thresholdRuleId: row.thresholdRuleId,
        subject: row.subject,
        body: row.body,
      },
    });
  });
}

export type PreviewResult =
  ({ ok: true } & CustomText) | { ok: false; fields: Partial<Record<"subject" | "body", string>> };

/**
 * Renders a draft against a sample alert, as saving would check it: the rendered text (escaped
 * for the channel) or each field's line and reason. Writes nothing.
 */
export async function previewTemplate({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<PreviewResult> {
  requirePermission(ctx, "alerts:manage");
  tenantOnly(ctx);
  const data = parseInput(PreviewInput, input);
  const opts = { appUrl: channelSettingsFromEnv().appUrl, orgName: ctx.org.name };
  const source = { channel: data.channel, subject: data.subject ?? null, body: data.body };
  const issues = await checkTemplate(source, opts);
  if (issues.length) {
    return {
      ok: false,
      fields: Object.fromEntries(issues.map((i) => [i.field, describeIssue(i)])),
    };
  }
  try {
    const out = await renderTemplate(
      source,
      templateVariables(sampleItem(data.sample ?? "threshold.triggered"), opts),
      true,
    );
    return { ok: true, ...out };
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { ok: false, fields: { [e.issue.field]: describeIssue(e.issue) } };
  }
}

// ---- sending ----

/** What the sender uses for one delivery's channel: the custom text, and what its trace says. */
export interface CustomOutcome {
  custom?: CustomText;
  trace?: TraceStep;
}

/** The threshold rule an alert came from, when it came from one (payload.data.ruleId). */
export function ruleIdOf(item: AlertItem): string | null {
  if (!item.kind.startsWith("threshold.")) return null;
  const id = item.payload.data?.ruleId;
  return typeof id === "string" && isUuid(id) ? id : null;
}

/**
 * The template that words this delivery (the rule's own for its channel, else the tenant's, else
 * none: Beacon's default), rendered. A template that cannot be read or rendered never fails the
 * send: the default wording goes out and the trace says why.
 */
export async function customTextFor(
  db: Db,
  d: { orgId: string; channel: Channel; recipientType: RecipientType | string },
  item: AlertItem,
  appUrl: string,
): Promise<CustomOutcome> {
  if (!(TEMPLATE_CHANNELS as readonly string[]).includes(d.channel)) return {};
  // Public subscribers read the status page's own wording; a tenant's templates word its alerts.
  if (d.recipientType === "subscriber" || !templatableKind(item.kind)) return {};
  const channel = d.channel as TemplateChannel;
  const ruleId = ruleIdOf(item);
  let t: { template: AlertTemplate; orgName: string; ruleName: string | null } | undefined;
  try {
    [t] = await db
      .select({
        template: alertTemplates,
        orgName: organizations.name,
        ruleName: thresholdRules.name,
      })
      .from(alertTemplates)
      .innerJoin(organizations, eq(organizations.id, alertTemplates.orgId))
      .leftJoin(thresholdRules, eq(thresholdRules.id, alertTemplates.thresholdRuleId))
      .where(
        and(
          eq(alertTemplates.orgId, d.orgId),
          eq(alertTemplates.channel, channel),
          ruleId
            ? or(eq(alertTemplates.thresholdRuleId, ruleId), isNull(alertTemplates.thresholdRuleId))
            : isNull(alertTemplates.thresholdRuleId),
        ),
      )
      // The rule's own template first.
      .orderBy(sql`${alertTemplates.thresholdRuleId} is null`)
      .limit(1);
  } catch (e) {
    return fallback(
      channel,
      `it could not be read (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (!t) return {};
  const words = scopeWords(channel, t.template.thresholdRuleId ? t.ruleName : null);
  try {
    const custom = await renderTemplate(
      { channel, subject: t.template.subject, body: t.template.body },
      templateVariables(item, { appUrl, orgName: t.orgName }),
    );
    return {
      custom,
      trace: {
        step: "template",
        outcome: "info",
        detail: `Worded with your custom ${words}${custom.cut ? `. ${custom.cut}` : ""}`,
      },
    };
  } catch (e) {
    const why =
      e instanceof TemplateError
        ? `${e.issue.field}, ${describeIssue(e.issue)}`
        : e instanceof Error
          ? e.message
          : String(e);
    return fallback(channel, `your custom ${words} failed to render (${why})`);
  }
}

function fallback(channel: TemplateChannel, why: string): CustomOutcome {
  return {
    trace: {
      step: "template",
      outcome: "info",
      detail: `Sent with Beacon's default ${CHANNEL_LABELS[channel]} wording: ${why}`,
    },
  };
}
