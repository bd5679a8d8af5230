import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { alertSettings, organizations, type AlertSettings } from "@/db/schema";
import { nextDigestAt, quietUntil } from "../schedule";

/**
 * A job's organizations: the named ones, or every tenant for a public job. A suspended tenant is
 * routed nothing (it has no clock, see orgSettings, and is out of every tenant's scope).
 */
export type OrgScope = string[] | "all-tenants";

/** `col` (an organization id) is in the scope. */
export function inScope(col: SQL, orgIds: OrgScope) {
  return orgIds === "all-tenants"
    ? sql`${col} in (select id from organizations where kind = 'tenant' and suspended_at is null)`
    : sql`${col} = any(${`{${orgIds.join(",")}}`}::uuid[])`;
}

/**
 * Each organization's clock at planning time: when its quiet hours end (null when it is not in
 * them) and when its next digest goes out (null for immediate delivery). Only this per-tenant
 * clock arithmetic, in each tenant's time zone, is done in TypeScript, once per tenant, and passed
 * to the fan-out statements (see clocksCte). An organization without alert settings has no clock.
 */
export interface OrgClock {
  org_id: string;
  quiet_until: string | null;
  digest_at: string | null;
}

export async function orgClocks(db: Db, orgIds: OrgScope, now: Date): Promise<OrgClock[]> {
  return clocksAt(await orgSettings(db, orgIds), now);
}

/**
 * The alert settings of the organizations in scope (an organization without them has no clock,
 * and neither has a suspended one: the matrix fan-out joins the clocks, so it reaches neither).
 */
export async function orgSettings(db: Db, orgIds: OrgScope): Promise<AlertSettings[]> {
  const rows = await db
    .select({ s: alertSettings })
    .from(alertSettings)
    .innerJoin(organizations, eq(organizations.id, alertSettings.orgId))
    .where(
      and(
        orgIds === "all-tenants"
          ? eq(organizations.kind, "tenant")
          : inArray(alertSettings.orgId, orgIds),
        isNull(organizations.suspendedAt),
      ),
    );
  return rows.map((r) => r.s);
}

/** Each organization's clock at `now`, from its settings. */
export function clocksAt(settings: AlertSettings[], now: Date): OrgClock[] {
  return settings.map((s) => ({
    org_id: s.orgId,
    quiet_until:
      quietUntil(
        { enabled: s.quietEnabled, start: s.quietStart, end: s.quietEnd, timeZone: s.timeZone },
        now,
      )?.toISOString() ?? null,
    digest_at: nextDigestAt(s.digestMode, s.timeZone, now)?.toISOString() ?? null,
  }));
}

/** The clocks as the `oc` table of a fan-out statement. */
export function clocksCte(clocks: OrgClock[]) {
  return sql`oc as (
  select * from jsonb_to_recordset(${JSON.stringify(clocks)}::jsonb)
    as x(org_id uuid, quiet_until timestamptz, digest_at timestamptz)
)`;
}

/**
 * Which recipients a fan-out statement covers: everyone (null, planning), or the one recipient the
 * explainer asks about (a dry run): a member (user id), an endpoint (id) or an extra recipient's
 * address. Each candidate branch adds its own restriction; planning's statements are unchanged.
 */
export type OneRecipient = { member: string } | { endpoint: string } | { address: string } | null;
