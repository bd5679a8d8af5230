import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { apiKeys, auditLog, users } from "@/db/schema";
import { requirePermission, type Ctx } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { idOf, isUuid } from "@/lib/ids";
import { boundedDate, storable } from "@/lib/validation";

/** An action as recorded ("member.invited"); one ending in "." matches every action it starts. */
const ACTION = /^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/;

/** A query string's empty fields (a filter form's "any") count as absent. */
const withoutEmpty = (v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""))
    : v;

export const ListAuditInput = z.preprocess(
  withoutEmpty,
  z
    .object({
      /** A member's user id or an API key's id, or "system" for what Beacon did by itself. */
      actor: z
        .string({ message: 'must be a member or API key id, or "system"' })
        .refine((v) => v === "system" || isUuid(v), {
          message: 'must be a member or API key id, or "system"',
        })
        .optional(),
      action: storable(z.string({ message: "must be text" }).trim().max(100))
        .refine((s) => ACTION.test(s), {
          message: 'must be an action such as "member.invited", or a prefix such as "member."',
        })
        .optional(),
      /** From this time (inclusive)… */
      from: boundedDate().optional(),
      /** …up to this time (exclusive). */
      to: boundedDate().optional(),
      /** The id of the last row of the previous page: the page after it. */
      after: idOf("audit row").optional(),
      limit: z.coerce
        .number({ message: "must be a number" })
        .int("must be a whole number")
        .min(1, "must be at least 1")
        .max(200, "must be at most 200")
        .default(50),
    })
    .strict()
    .refine((v) => !v.from || !v.to || v.from < v.to, {
      path: ["to"],
      message: "must be after from",
    }),
);

export interface AuditRow {
  id: string;
  at: Date;
  action: string;
  actor: { type: "user" | "api_key" | "system"; id: string | null; label: string };
  target: { type: string; id: string | null };
  data: Record<string, unknown>;
}

function actorLabel(r: {
  type: AuditRow["actor"]["type"];
  userName: string | null;
  userEmail: string | null;
  keyName: string | null;
  keyPrefix: string | null;
}): string {
  if (r.type === "system") return "Beacon";
  if (r.type === "user") {
    if (!r.userEmail) return "Deleted user";
    return r.userName ? `${r.userName} <${r.userEmail}>` : r.userEmail;
  }
  return r.keyName ? `API key ${r.keyName} (${r.keyPrefix}…)` : "Deleted API key";
}

/**
 * The organization's audit log, newest first, filtered by actor, action and time, one page at a
 * time. Pages follow (created_at, id) of the last row shown (keyset), so rows written while
 * someone pages never shift or repeat a page. Only ever this organization's rows: a platform
 * admin reads the platform organization's, never a tenant's.
 */
export async function listAudit({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<{ entries: AuditRow[]; next: string | null }> {
  requirePermission(ctx, "audit:read");
  const f = parseInput(ListAuditInput, input ?? {});
  const where: SQL[] = [eq(auditLog.orgId, ctx.org.id)];
  if (f.actor === "system") where.push(eq(auditLog.actorType, "system"));
  else if (f.actor) where.push(eq(auditLog.actorId, f.actor));
  if (f.action?.endsWith(".")) {
    where.push(sql`left(${auditLog.action}, ${f.action.length}) = ${f.action}`);
  } else if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.from) where.push(gte(auditLog.createdAt, f.from));
  if (f.to) where.push(lt(auditLog.createdAt, f.to));
  if (f.after) {
    // A row of another organization (or none) names no place in this log: no rows.
    where.push(
      sql`(${auditLog.createdAt}, ${auditLog.id}) < (select c.created_at, c.id from audit_log c where c.id = ${f.after} and c.org_id = ${ctx.org.id})`,
    );
  }
  const rows = await ctx.db
    .select({
      id: auditLog.id,
      at: auditLog.createdAt,
      action: auditLog.action,
      actorType: auditLog.actorType,
      actorId: auditLog.actorId,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      data: auditLog.data,
      userName: users.name,
      userEmail: users.email,
      keyName: apiKeys.name,
      keyPrefix: apiKeys.prefix,
    })
    .from(auditLog)
    .leftJoin(users, and(eq(auditLog.actorType, "user"), eq(users.id, auditLog.actorId)))
    .leftJoin(
      apiKeys,
      and(
        eq(auditLog.actorType, "api_key"),
        eq(apiKeys.id, auditLog.actorId),
        eq(apiKeys.orgId, auditLog.orgId),
      ),
    )
    .where(and(...where))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      actor: {
        type: r.actorType,
        id: r.actorId,
        label: actorLabel({ type: r.actorType, ...r }),
      },
      target: { type: r.targetType, id: r.targetId },
      data: r.data,
    })),
    next: rows.length > f.limit ? page[page.length - 1]!.id : null,
  };
}

/** How many distinct actors and actions the filter form offers at most. */
const OPTIONS_MAX = 500;

/** The actors and actions that occur in the organization's log, for the filter form. */
export async function auditFilterOptions({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "audit:read");
  const [actors, actions] = await Promise.all([
    ctx.db
      .selectDistinct({
        type: auditLog.actorType,
        id: auditLog.actorId,
        userName: users.name,
        userEmail: users.email,
        keyName: apiKeys.name,
        keyPrefix: apiKeys.prefix,
      })
      .from(auditLog)
      .leftJoin(users, and(eq(auditLog.actorType, "user"), eq(users.id, auditLog.actorId)))
      .leftJoin(
        apiKeys,
        and(
          eq(auditLog.actorType, "api_key"),
          eq(apiKeys.id, auditLog.actorId),
          eq(apiKeys.orgId, auditLog.orgId),
        ),
      )
      .where(eq(auditLog.orgId, ctx.org.id))
      .limit(OPTIONS_MAX),
    ctx.db
      .selectDistinct({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.orgId, ctx.org.id))
      .orderBy(asc(auditLog.action))
      .limit(OPTIONS_MAX),
  ]);
  return {
    actors: actors
      .map((a) => ({ value: a.type === "system" ? "system" : a.id, label: actorLabel(a) }))
      .filter((a): a is { value: string; label: string } => Boolean(a.value))
      .filter((a, i, all) => all.findIndex((b) => b.value === a.value) === i)
      .sort((a, b) => a.label.localeCompare(b.label)),
    actions: actions.map((a) => a.action),
  };
}
