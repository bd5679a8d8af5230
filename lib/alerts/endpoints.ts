import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { alertEndpoints } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission, withTransaction } from "@/lib/context";
import { recordAudit } from "@/lib/audit";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { encryptSecret } from "@/lib/crypto/secrets";
import { generateWebhookSecret, rotateWebhookSecret } from "@/lib/crypto/webhook-secrets";
import { checkDestinationUrl } from "@/lib/channels/net";
import { channelSettingsFromEnv, type ChannelSettings } from "@/lib/channels/settings";
import { CreateEndpointInput, UpdateEndpointInput } from "./schemas";
import { checkCatalogIds } from "@/lib/catalog/check";
import { loadEndpoint, toEndpointView, type EndpointView } from "./settings";

function assertTenant(ctx: Ctx) {
  if (ctx.org.kind !== "tenant") throw new NotFoundError("Endpoint");
}

export async function listEndpoints({ ctx }: { ctx: Ctx }): Promise<EndpointView[]> {
  requirePermission(ctx, "alerts:read");
  assertTenant(ctx);
  const rows = await ctx.db
    .select()
    .from(alertEndpoints)
    .where(eq(alertEndpoints.orgId, ctx.org.id))
    .orderBy(asc(alertEndpoints.createdAt));
  return rows.map((e) => toEndpointView(e));
}

/** Creates an endpoint. The webhook secret is returned here once and never again. */
export async function createEndpoint({
  ctx,
  input,
  channelSettings = channelSettingsFromEnv(),
}: {
  ctx: Ctx;
  input: unknown;
  /** Injected by tests (local receivers need allowPrivate). */
  channelSettings?: Pick<ChannelSettings, "allowPrivate" | "resolver">;
}): Promise<{ endpoint: EndpointView; secret: string | null }> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const data = parseInput(CreateEndpointInput, input);
  const url = new URL(data.url);
  const problem = await checkDestinationUrl(url, channelSettings, data.type);
  if (problem) throw new ValidationError([{ field: "url", message: problem }]);
  const secret = data.type === "webhook" ? generateWebhookSecret() : null;
  return withTransaction(ctx, async (tx) => {
    const filters = data.filters ?? { componentIds: [], regionIds: [], minImpact: "none" as const };
    const issues = await checkCatalogIds(tx, filters, "filters");
    if (issues.length) throw new ValidationError(issues);
    const [row] = await tx
      .insert(alertEndpoints)
      .values({
        orgId: ctx.org.id,
        type: data.type,
        name: data.name,
        urlEncrypted: encryptSecret(url.toString()),
        urlHint: url.host,
        secretEncrypted: secret ? encryptSecret(secret) : null,
        roleGroup: data.roleGroup,
        componentIds: filters.componentIds,
        regionIds: filters.regionIds,
        minImpact: filters.minImpact,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "endpoint.create",
      targetType: "alert_endpoint",
      targetId: row!.id,
      data: { type: data.type, name: data.name, host: url.host },
    });
    return { endpoint: toEndpointView(row!), secret };
  });
}

/** An endpoint of the caller's organization; a malformed id is not found, like an unknown one. */
const EndpointIdInput = z.object({ id: idOf("endpoint") });
const parseEndpointId = (input: unknown) =>
  parseTargetInput(EndpointIdInput, input, { field: "id", notFound: "Endpoint" }).id;

export async function deleteEndpoint({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<void> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const id = parseEndpointId(input);
  await withTransaction(ctx, async (tx) => {
    const e = await loadEndpoint(tx, ctx, id);
    await tx.delete(alertEndpoints).where(eq(alertEndpoints.id, e.id));
    await recordAudit(tx, ctx, {
      action: "endpoint.delete",
      targetType: "alert_endpoint",
      targetId: e.id,
      data: { name: e.name },
    });
  });
}

/**
 * Edits an endpoint in place: its name, URL, role group and filters (components, regions, minimum
 * impact). Fields left out keep their values; its type, signing secret, state and delivery
 * history stay. `input` is `{ id, ...fields }`.
 */
export async function updateEndpoint({
  ctx,
  input,
  channelSettings = channelSettingsFromEnv(),
}: {
  ctx: Ctx;
  input: unknown;
  /** Injected by tests (local receivers need allowPrivate). */
  channelSettings?: Pick<ChannelSettings, "allowPrivate" | "resolver">;
}): Promise<EndpointView> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const { id: rawId, ...fields } =
    typeof input === "object" && input !== null && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : { id: undefined };
  const id = parseEndpointId({ id: rawId });
  const data = parseInput(UpdateEndpointInput, fields);
  // The URL is checked against the endpoint's own type (Slack and Teams hosts) before the
  // transaction: the check resolves the host name.
  const current = await loadEndpoint(ctx.db, ctx, id);
  const url = data.url === undefined ? null : new URL(data.url);
  if (url) {
    const problem = await checkDestinationUrl(url, channelSettings, current.type);
    if (problem) throw new ValidationError([{ field: "url", message: problem }]);
  }
  return withTransaction(ctx, async (tx) => {
    const e = await loadEndpoint(tx, ctx, id);
    if (data.filters) {
      const issues = await checkCatalogIds(tx, data.filters, "filters");
      if (issues.length) throw new ValidationError(issues);
    }
    const changes: Partial<typeof alertEndpoints.$inferInsert> = {};
    if (data.name !== undefined) changes.name = data.name;
    if (url) {
      changes.urlEncrypted = encryptSecret(url.toString());
      changes.urlHint = url.host;
    }
    if (data.roleGroup !== undefined) changes.roleGroup = data.roleGroup;
    if (data.filters) {
      changes.componentIds = data.filters.componentIds;
      changes.regionIds = data.filters.regionIds;
      changes.minImpact = data.filters.minImpact;
    }
    if (Object.keys(changes).length === 0) return toEndpointView(e);
    const [row] = await tx
      .update(alertEndpoints)
      .set(changes)
      .where(and(eq(alertEndpoints.id, e.id), eq(alertEndpoints.orgId, ctx.org.id)))
      .returning();
    await recordAudit(tx, ctx, {
      action: "endpoint.update",
      targetType: "alert_endpoint",
      targetId: e.id,
      // What changed, never the URL itself (Slack and Teams URLs carry their credential).
      data: {
        name: row!.name,
        ...(data.name !== undefined && data.name !== e.name ? { previousName: e.name } : {}),
        ...(url ? { host: url.host } : {}),
        ...(data.roleGroup !== undefined ? { roleGroup: data.roleGroup } : {}),
        ...(data.filters ? { filters: data.filters } : {}),
      },
    });
    return toEndpointView(row!);
  });
}

/**
 * Rotates a webhook secret: the new one is returned once; the old one keeps signing alongside it
 * for 24 hours so receivers can switch without losing a message.
 */
export async function rotateEndpointSecret({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}): Promise<{ secret: string; previousValidUntil: string }> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const id = parseEndpointId(input);
  return withTransaction(ctx, async (tx) => {
    const e = await loadEndpoint(tx, ctx, id);
    if (e.type !== "webhook" || !e.secretEncrypted) {
      throw new ValidationError([
        { field: "id", message: "only webhook endpoints have a signing secret" },
      ]);
    }
    const { secret, previousValidUntil, columns } = rotateWebhookSecret(
      { secretEncrypted: e.secretEncrypted },
      now,
    );
    await tx.update(alertEndpoints).set(columns).where(eq(alertEndpoints.id, e.id));
    await recordAudit(tx, ctx, {
      action: "endpoint.rotate_secret",
      targetType: "alert_endpoint",
      targetId: e.id,
    });
    return { secret, previousValidUntil };
  });
}

/** Re-enables an endpoint that was disabled (e.g. after answering 410). */
export async function enableEndpoint({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<EndpointView> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const id = parseEndpointId(input);
  return withTransaction(ctx, async (tx) => {
    const e = await loadEndpoint(tx, ctx, id);
    const [row] = await tx
      .update(alertEndpoints)
      .set({ enabled: true, disabledReason: sql`null`, disabledAt: null, disabledCause: null })
      .where(eq(alertEndpoints.id, e.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "endpoint.enable",
      targetType: "alert_endpoint",
      targetId: e.id,
    });
    return toEndpointView(row!);
  });
}
