import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import {
  alertEndpoints,
  alertRecipients,
  alertRules,
  alertSettings,
  type CategoryToggles,
  type Channel,
  type DigestMode,
  type EndpointType,
  type Impact,
  type AlertCategory,
  type RecipientChannel,
} from "@/db/schema";
import type { TenantRole } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { requirePermission, withTransaction } from "@/lib/context";
import { recordAudit } from "@/lib/audit";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf } from "@/lib/ids";
import type { Db, Tx } from "@/db";
import { checkCatalogIds } from "@/lib/catalog/check";
import { applyDefaultAlertSettings } from "./defaults";
import { formatMinutes, parseHhMm } from "./schedule";
import { UpdateAlertSettingsInput } from "./schemas";

export interface AlertSettingsView {
  categories: CategoryToggles;
  matrix: MatrixCellView[];
  recipients: RecipientView[];
  filters: FiltersView;
  digestMode: DigestMode;
  quietHours: {
    enabled: boolean;
    start: string;
    end: string;
    timeZone: string;
    allowCritical: boolean;
  };
  endpoints: EndpointView[];
}

export interface MatrixCellView {
  category: AlertCategory;
  roleGroup: TenantRole;
  channel: Channel;
  enabled: boolean;
  topic: string | null;
}

export interface RecipientView {
  id: string;
  channel: RecipientChannel;
  address: string;
  roleGroup: TenantRole;
  /** The provider reported the address unreachable for good (lib/providers/report.ts). */
  undeliverable: { at: string; reason: string } | null;
}

export interface FiltersView {
  componentIds: string[];
  regionIds: string[];
  minImpact: Impact;
}

export interface EndpointView {
  id: string;
  type: EndpointType;
  name: string;
  urlHint: string;
  roleGroup: TenantRole | null;
  enabled: boolean;
  disabledReason: string | null;
  secretRotatingUntil: string | null;
  filters: FiltersView;
}

export function assertTenant(ctx: Ctx) {
  // Alert settings belong to customer tenants; the platform org has none.
  if (ctx.org.kind !== "tenant") throw new NotFoundError("Alert settings");
}

async function load(tx: Tx, orgId: string): Promise<AlertSettingsView> {
  let [s] = await tx.select().from(alertSettings).where(eq(alertSettings.orgId, orgId));
  if (!s) {
    await applyDefaultAlertSettings(tx, orgId);
    [s] = await tx.select().from(alertSettings).where(eq(alertSettings.orgId, orgId));
  }
  const [matrix, recipients, endpoints] = await Promise.all([
    tx.select().from(alertRules).where(eq(alertRules.orgId, orgId)),
    tx
      .select()
      .from(alertRecipients)
      .where(eq(alertRecipients.orgId, orgId))
      .orderBy(asc(alertRecipients.createdAt)),
    tx
      .select()
      .from(alertEndpoints)
      .where(eq(alertEndpoints.orgId, orgId))
      .orderBy(asc(alertEndpoints.createdAt)),
  ]);
  return {
    categories: { ...s!.categories },
    matrix: matrix.map((r) => ({
      category: r.category,
      roleGroup: r.roleGroup,
      channel: r.channel,
      enabled: r.enabled,
      topic: r.topic,
    })),
    recipients: recipients.map(toRecipientView),
    filters: { componentIds: s!.componentIds, regionIds: s!.regionIds, minImpact: s!.minImpact },
    digestMode: s!.digestMode,
    quietHours: {
      enabled: s!.quietEnabled,
      start: formatMinutes(s!.quietStart),
      end: formatMinutes(s!.quietEnd),
      timeZone: s!.timeZone,
      allowCritical: s!.quietAllowCritical,
    },
    endpoints: endpoints.map((e) => toEndpointView(e)),
  };
}

export function toRecipientView(r: typeof alertRecipients.$inferSelect): RecipientView {
  return {
    id: r.id,
    channel: r.channel,
    address: r.address,
    roleGroup: r.roleGroup,
    undeliverable: r.undeliverableAt
      ? { at: r.undeliverableAt.toISOString(), reason: r.undeliverableReason ?? "" }
      : null,
  };
}

export function toEndpointView(
  e: typeof alertEndpoints.$inferSelect,
  now = new Date(),
): EndpointView {
  return {
    id: e.id,
    type: e.type,
    name: e.name,
    urlHint: e.urlHint,
    roleGroup: e.roleGroup,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    secretRotatingUntil:
      e.previousSecretExpiresAt && e.previousSecretExpiresAt > now
        ? e.previousSecretExpiresAt.toISOString()
        : null,
    filters: { componentIds: e.componentIds, regionIds: e.regionIds, minImpact: e.minImpact },
  };
}

export async function getAlertSettings({ ctx }: { ctx: Ctx }): Promise<AlertSettingsView> {
  requirePermission(ctx, "alerts:read");
  assertTenant(ctx);
  return withTransaction(ctx, (tx) => load(tx, ctx.org.id));
}

export async function updateAlertSettings({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<AlertSettingsView> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const data = parseInput(UpdateAlertSettingsInput, input);
  const orgId = ctx.org.id;
  return withTransaction(ctx, async (tx) => {
    const current = await load(tx, orgId);
    if (data.filters) {
      const issues = await checkCatalogIds(tx, data.filters, "filters");
      if (issues.length) throw new ValidationError(issues);
    }
    const patch: Partial<typeof alertSettings.$inferInsert> = { updatedAt: new Date() };
    if (data.categories) patch.categories = { ...current.categories, ...data.categories };
    if (data.filters) {
      patch.componentIds = data.filters.componentIds;
      patch.regionIds = data.filters.regionIds;
      patch.minImpact = data.filters.minImpact;
    }
    if (data.digestMode) patch.digestMode = data.digestMode;
    if (data.quietHours) {
      patch.quietEnabled = data.quietHours.enabled;
      patch.quietStart = parseHhMm(data.quietHours.start)!;
      patch.quietEnd = parseHhMm(data.quietHours.end)!;
      patch.timeZone = data.quietHours.timeZone;
      patch.quietAllowCritical = data.quietHours.allowCritical;
    }
    await tx.update(alertSettings).set(patch).where(eq(alertSettings.orgId, orgId));

    if (data.matrix) {
      for (const cell of data.matrix) {
        // Upsert keeps a cell's topic (e.g. "low balance only") when only its tick changes.
        await tx
          .insert(alertRules)
          .values({ orgId, ...cell })
          .onConflictDoUpdate({
            target: [
              alertRules.orgId,
              alertRules.category,
              alertRules.roleGroup,
              alertRules.channel,
            ],
            set: { enabled: cell.enabled },
          });
      }
    }
    if (data.recipients) {
      // The list is replaced, but an address the provider reported unreachable stays marked
      // while it is listed: saving other changes must not hide it. Removing it clears the mark.
      const marks = new Map(
        (
          await tx.delete(alertRecipients).where(eq(alertRecipients.orgId, orgId)).returning({
            channel: alertRecipients.channel,
            address: alertRecipients.address,
            at: alertRecipients.undeliverableAt,
            reason: alertRecipients.undeliverableReason,
          })
        )
          .filter((r) => r.at)
          .map((r) => [`${r.channel}|${r.address.toLowerCase()}`, r]),
      );
      const unique = new Map(
        data.recipients.map((r) => [`${r.channel}|${r.address.toLowerCase()}|${r.roleGroup}`, r]),
      );
      if (unique.size) {
        await tx.insert(alertRecipients).values(
          [...unique.values()].map((r) => {
            const mark = marks.get(`${r.channel}|${r.address.toLowerCase()}`);
            return {
              orgId,
              channel: r.channel,
              address: r.channel === "email" ? r.address.toLowerCase() : r.address,
              roleGroup: r.roleGroup,
              undeliverableAt: mark?.at ?? null,
              undeliverableReason: mark?.reason ?? null,
            };
          }),
        );
      }
    }
    await recordAudit(tx, ctx, {
      action: "alert_settings.update",
      targetType: "alert_settings",
      targetId: orgId,
      data: { sections: Object.keys(data) },
    });
    return load(tx, orgId);
  });
}

/**
 * Extra-recipient rows of one organization for this channel and address, whatever the role group
 * or letter case: a provider's "unreachable" mark is about the address.
 */
export function sameRecipientAddress(orgId: string, channel: string, address: string) {
  return and(
    eq(alertRecipients.orgId, orgId),
    sql`${alertRecipients.channel}::text = ${channel}`,
    sql`lower(${alertRecipients.address}) = lower(${address})`,
  );
}

const ClearRecipientMarkInput = z.object({ id: idOf("recipient") });

/**
 * Clears the "not getting through" mark a provider put on an extra recipient (a hard bounce, an
 * unknown number), once the admin has fixed the address: routing sends to it again. The mark is
 * about the address, so every role group listing it is cleared together.
 */
export async function clearRecipientMark({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<AlertSettingsView> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const { id } = parseInput(ClearRecipientMarkInput, input);
  return withTransaction(ctx, async (tx) => {
    const [r] = await tx
      .select()
      .from(alertRecipients)
      .where(and(eq(alertRecipients.id, id), eq(alertRecipients.orgId, ctx.org.id)));
    if (!r) throw new NotFoundError("Recipient");
    const cleared = await tx
      .update(alertRecipients)
      .set({ undeliverableAt: null, undeliverableReason: null })
      .where(
        and(
          sameRecipientAddress(ctx.org.id, r.channel, r.address),
          isNotNull(alertRecipients.undeliverableAt),
        ),
      )
      .returning({ id: alertRecipients.id });
    if (cleared.length) {
      await recordAudit(tx, ctx, {
        action: "recipient.mark_cleared",
        targetType: "alert_recipient",
        targetId: r.id,
        data: { address: r.address, channel: r.channel, reason: r.undeliverableReason },
      });
    }
    return load(tx, ctx.org.id);
  });
}

export async function loadEndpoint(tx: Tx | Db, ctx: Ctx, id: string) {
  const [e] = await tx
    .select()
    .from(alertEndpoints)
    .where(and(eq(alertEndpoints.id, id), eq(alertEndpoints.orgId, ctx.org.id)));
  if (!e) throw new NotFoundError("Endpoint");
  return e;
}
