import type { Tx } from "@/db";
import { alertRules, alertSettings, type Channel } from "@/db/schema";
import type { IncidentCategory } from "@/db/schema";
import type { TenantRole } from "@/lib/auth/roles";

/**
 * Seed 000's "who gets alerted & on which channels" table, read cell by cell. "Slack/Teams"
 * ticks both. A cell listed as opt-in (Configurable × Org Admins × Email) exists but is off.
 * `topic` narrows a cell: Billing Admins get SMS for low-balance alerts only.
 */
export interface DefaultCell {
  category: IncidentCategory;
  roleGroup: TenantRole;
  channel: Channel;
  enabled: boolean;
  topic?: string;
}

const on = (
  category: IncidentCategory,
  roleGroup: TenantRole,
  channels: Channel[],
): DefaultCell[] => channels.map((channel) => ({ category, roleGroup, channel, enabled: true }));

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
];

export const DEFAULT_CATEGORIES = {
  infrastructure: true,
  billing: true,
  configurable: true,
} as const;

/**
 * Gives a tenant the seed's defaults. Call it in the transaction that creates the tenant;
 * running it again leaves existing choices alone.
 */
export async function applyDefaultAlertSettings(tx: Tx, orgId: string): Promise<void> {
  await tx
    .insert(alertSettings)
    .values({ orgId, categories: { ...DEFAULT_CATEGORIES } })
    .onConflictDoNothing();
  await tx
    .insert(alertRules)
    .values(DEFAULT_MATRIX.map((c) => ({ orgId, ...c, topic: c.topic ?? null })))
    .onConflictDoNothing();
}
