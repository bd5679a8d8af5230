import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db, type Tx } from "@/db";
import type { Channel } from "@/db/schema";
import type { AlertCategory } from "@/db/schema";
import type { TenantRole } from "@/lib/auth/roles";

/**
 * Seed 000's "who gets alerted & on which channels" table, read cell by cell. "Slack/Teams"
 * ticks both. A cell listed as opt-in (Configurable × Org Admins × Email) exists but is off.
 * `topic` narrows a cell: Billing Admins get SMS for low-balance alerts only.
 */
export interface DefaultCell {
  category: AlertCategory;
  roleGroup: TenantRole;
  channel: Channel;
  enabled: boolean;
  topic?: string;
}

const on = (category: AlertCategory, roleGroup: TenantRole, channels: Channel[]): DefaultCell[] =>
  channels.map((channel) => ({ category, roleGroup, channel, enabled: true }));

export const LOW_BALANCE_TOPIC = "low_balance";

export const DEFAULT_MATRIX: readonly DefaultCell[] = [
  ...on("infrastructure", "org_admin", ["email", "sms", "slack", "teams", "webhook"]),
  ...on("billing", "org_admin", ["email", "slack", "teams"]),
  ...on("configurable", "org_admin", ["slack", "teams", "webhook"]),
  { category: "configurable", roleGroup: "org_admin", channel: "email", enabled: false },
  ...on("billing", "billing_admin", ["email", "slack", "teams"]),
  {
    category: "billing",
    roleGroup: "billing_admin",
    channel: "sms",
    enabled: true,
    topic: LOW_BALANCE_TOPIC,
  },
  ...on("infrastructure", "tech_devops", ["email", "slack", "teams", "webhook"]),
  ...on("configurable", "tech_devops", ["email", "slack", "teams", "webhook"]),
  ...on("infrastructure", "support_manager", ["email", "slack", "teams"]),
  ...on("configurable", "support_manager", ["email", "slack", "teams"]),
  // Maintenance advisories: whoever hears of Infrastructure incidents hears of planned work,
  // by email and chat (and the org admin's and DevOps' webhooks), never by SMS.
  ...on("maintenance", "org_admin", ["email", "slack", "teams", "webhook"]),
  ...on("maintenance", "tech_devops", ["email", "slack", "teams", "webhook"]),
  ...on("maintenance", "support_manager", ["email", "slack", "teams"]),
];

export const DEFAULT_CATEGORIES = {
  infrastructure: true,
  billing: true,
  configurable: true,
  maintenance: true,
} as const;

const DEFAULT_MATRIX_JSON = JSON.stringify(
  DEFAULT_MATRIX.map((c) => ({
    category: c.category,
    role_group: c.roleGroup,
    channel: c.channel,
    enabled: c.enabled,
    topic: c.topic ?? null,
  })),
);

/**
 * Gives every organization `o` for which `orgs` holds and that has no alert settings yet the seed's
 * defaults (its settings and its matrix), in one statement. One that has settings is left alone.
 * Planning runs it for a job's organizations (tenants created before alerting existed, or by code
 * that forgot); applyDefaultAlertSettings for one new tenant.
 */
export async function ensureDefaultAlertSettings(db: Db | Tx, orgs: SQL): Promise<void> {
  await db.execute(sql`
    with missing as (
      insert into alert_settings (org_id, categories)
      select o.id, ${JSON.stringify(DEFAULT_CATEGORIES)}::jsonb from organizations o
      where ${orgs} and not exists (select 1 from alert_settings s where s.org_id = o.id)
      on conflict do nothing
      returning org_id
    )
    insert into alert_rules (org_id, category, role_group, channel, enabled, topic)
    select m.org_id, d.category::incident_category, d.role_group::tenant_role, d.channel::channel, d.enabled, d.topic
    from missing m
    cross join jsonb_to_recordset(${DEFAULT_MATRIX_JSON}::jsonb)
      as d(category text, role_group text, channel text, enabled boolean, topic text)
    on conflict do nothing`);
}

/**
 * Gives a tenant the seed's defaults. Call it in the transaction that creates the tenant;
 * running it again leaves existing choices alone.
 */
export async function applyDefaultAlertSettings(tx: Tx, orgId: string): Promise<void> {
  await ensureDefaultAlertSettings(tx, sql`o.id = ${orgId}::uuid`);
}

/**
 * Maintenance advisories became a category of their own after tenants had saved settings: each
 * organization whose toggles do not mention it yet gets it on, with the default matrix's
 * maintenance cells, once (the toggle's key marks it done, so cells an admin later unticks stay
 * unticked). Run at start-up, after the migrations: a migration cannot use the enum value it adds.
 */
export async function adoptMaintenanceCategory(db: Db | Tx): Promise<number> {
  const cells = JSON.stringify(
    DEFAULT_MATRIX.filter((c) => c.category === "maintenance").map((c) => ({
      role_group: c.roleGroup,
      channel: c.channel,
      enabled: c.enabled,
    })),
  );
  const result = await db.execute(sql`
    with adopted as (
      update alert_settings set categories = categories || '{"maintenance": true}'::jsonb
      where not (categories ? 'maintenance')
      returning org_id
    ), cells as (
      insert into alert_rules (org_id, category, role_group, channel, enabled, topic)
      select a.org_id, 'maintenance'::incident_category, d.role_group::tenant_role, d.channel::channel, d.enabled, null
      from adopted a
      cross join jsonb_to_recordset(${cells}::jsonb) as d(role_group text, channel text, enabled boolean)
      on conflict do nothing
    )
    select org_id from adopted`);
  return rowsOf<{ org_id: string }>(result).length;
}
