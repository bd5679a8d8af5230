import { and, count, desc, eq, gt, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import { containsText } from "@/db/like";
import {
  components,
  publicSubscribers,
  regions,
  type PublicSubscriber,
  type SubscriberKind,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { regionLabel } from "@/lib/labels";
import { requireSubscriberAdmin } from "./access";
import { ListSubscribersInput, type SubscriberStatus } from "./schemas";
import { CONFIRM_TTL_MS } from "./subscribe";

export interface SubscriberView {
  id: string;
  channel: SubscriberKind;
  /** The email address, or a webhook's host: the URL itself is stored encrypted and never shown. */
  address: string;
  /** Empty lists mean everything. A catalogue entry deleted since shows as "(deleted)". */
  components: { id: string; name: string }[];
  /** `label` is how the console names a region, code and city ("BOM · Mumbai"). */
  regions: { id: string; name: string; label: string }[];
  status: SubscriberStatus;
  createdAt: Date;
  confirmedAt: Date | null;
  /** Awaiting confirmation: when the emailed link stops working (the sweep then deletes the row). */
  confirmExpiresAt: Date | null;
  /** Webhooks after a rotation: until then the previous secret still signs too. */
  secretRotatingUntil: Date | null;
  /** Webhooks: whether the subscriber holds a management token to rotate its own secret. */
  selfService: boolean;
}

export type SubscriberCounts = Record<SubscriberKind, Record<SubscriberStatus, number>>;

export interface SubscriberList {
  counts: SubscriberCounts;
  subscribers: SubscriberView[];
  /** How many subscribers match the filters (for paging). */
  matching: number;
  page: number;
  limit: number;
}

function statusOf(s: PublicSubscriber, cutoff: Date): SubscriberStatus {
  if (s.confirmedAt) return "confirmed";
  return s.createdAt > cutoff ? "awaiting" : "expired";
}

/**
 * The status page's public subscribers for platform staff: counts by channel and status, and
 * one page of the list, filtered by status, channel and a search on the address.
 */
export async function listSubscribers({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}): Promise<SubscriberList> {
  requireSubscriberAdmin(ctx);
  const f = parseInput(ListSubscribersInput, input ?? {});
  const cutoff = new Date(now.getTime() - CONFIRM_TTL_MS);
  const cutoffTs = sql`${cutoff.toISOString()}::timestamptz`;
  const p = publicSubscribers;

  const where: SQL[] = [];
  if (f.status === "confirmed") where.push(isNotNull(p.confirmedAt));
  if (f.status === "awaiting") where.push(isNull(p.confirmedAt), gt(p.createdAt, cutoff));
  if (f.status === "expired") where.push(isNull(p.confirmedAt), lte(p.createdAt, cutoff));
  if (f.channel) where.push(eq(p.kind, f.channel));
  if (f.q) where.push(containsText(sql`coalesce(${p.email}, ${p.urlHint})`, f.q));
  const filter = where.length ? and(...where) : undefined;

  const [byKind, [matched], rows, comps, regs] = await Promise.all([
    ctx.db
      .select({
        kind: p.kind,
        confirmed: sql<number>`count(*) filter (where ${p.confirmedAt} is not null)`.mapWith(
          Number,
        ),
        awaiting:
          sql<number>`count(*) filter (where ${p.confirmedAt} is null and ${p.createdAt} > ${cutoffTs})`.mapWith(
            Number,
          ),
        expired:
          sql<number>`count(*) filter (where ${p.confirmedAt} is null and ${p.createdAt} <= ${cutoffTs})`.mapWith(
            Number,
          ),
      })
      .from(p)
      .groupBy(p.kind),
    ctx.db.select({ n: count() }).from(p).where(filter),
    ctx.db
      .select()
      .from(p)
      .where(filter)
      .orderBy(desc(p.createdAt), desc(p.id))
      .limit(f.limit)
      .offset((f.page - 1) * f.limit),
    // Names come from this (the platform) organization's catalogue only.
    ctx.db
      .select({ id: components.id, name: components.name })
      .from(components)
      .where(eq(components.orgId, ctx.org.id)),
    ctx.db
      .select({ id: regions.id, code: regions.code, name: regions.name })
      .from(regions)
      .where(eq(regions.orgId, ctx.org.id)),
  ]);

  const counts: SubscriberCounts = {
    email: { confirmed: 0, awaiting: 0, expired: 0 },
    webhook: { confirmed: 0, awaiting: 0, expired: 0 },
  };
  for (const r of byKind)
    counts[r.kind] = { confirmed: r.confirmed, awaiting: r.awaiting, expired: r.expired };
  const names = (list: { id: string; name: string }[]) => {
    const byId = new Map(list.map((x) => [x.id, x.name]));
    return (ids: string[]) => ids.map((id) => ({ id, name: byId.get(id) ?? "(deleted)" }));
  };
  const componentNames = names(comps);
  const regionNames = (ids: string[]) => {
    const byId = new Map(regs.map((r) => [r.id, r]));
    return ids.map((id) => {
      const r = byId.get(id);
      return r
        ? { id, name: r.name, label: regionLabel(r) }
        : { id, name: "(deleted)", label: "(deleted)" };
    });
  };

  return {
    counts,
    matching: matched?.n ?? 0,
    page: f.page,
    limit: f.limit,
    subscribers: rows.map((s) => {
      const status = statusOf(s, cutoff);
      return {
        id: s.id,
        channel: s.kind,
        address: (s.kind === "email" ? s.email : s.urlHint) ?? "(unknown)",
        components: componentNames(s.componentIds),
        regions: regionNames(s.regionIds),
        status,
        createdAt: s.createdAt,
        confirmedAt: s.confirmedAt,
        confirmExpiresAt:
          status === "confirmed" ? null : new Date(s.createdAt.getTime() + CONFIRM_TTL_MS),
        secretRotatingUntil:
          s.previousSecretExpiresAt && s.previousSecretExpiresAt > now
            ? s.previousSecretExpiresAt
            : null,
        selfService: Boolean(s.manageTokenHash),
      };
    }),
  };
}
