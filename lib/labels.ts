import type {
  Channel,
  DigestMode,
  EndpointType,
  Impact,
  IncidentCategory,
  TenantRole,
} from "@/db/schema";

/**
 * What people read for the alert settings' values, in one place: the portal's views and the
 * channels' messages use these. Type-only imports, so client components can use them too.
 */

export const CATEGORY_LABELS: Record<IncidentCategory, string> = {
  infrastructure: "Infrastructure",
  billing: "Billing",
  configurable: "Configurable",
};

export const IMPACT_LABELS: Record<Impact, string> = {
  none: "Notice",
  minor: "Minor",
  major: "Major",
  critical: "Critical",
};

/** The "Minimum severity" filter's choices: an impact and everything above it. */
export const MIN_IMPACT_LABELS: Record<Impact, string> = {
  none: "Everything",
  minor: `${IMPACT_LABELS.minor} and above`,
  major: `${IMPACT_LABELS.major} and above`,
  critical: `${IMPACT_LABELS.critical} and above`,
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  email: "Email",
  sms: "SMS",
  slack: "Slack",
  teams: "Teams",
  webhook: "Webhook",
  in_app: "In-app",
};

/** The kinds of endpoint an admin adds, as the "Add endpoint" form offers them. */
export const ENDPOINT_TYPE_LABELS: Record<EndpointType, string> = {
  webhook: "Webhook (signed)",
  slack: "Slack incoming webhook",
  teams: "Teams workflow webhook",
};

export const DIGEST_LABELS: Record<DigestMode, string> = {
  immediate: "Immediately",
  hourly: "Hourly digest",
  daily: "Daily digest (09:00)",
};

/** A matrix cell's topic narrows it (seed 000); an unknown topic is shown as stored. */
export const TOPIC_LABELS: Readonly<Partial<Record<string, string>>> = {
  low_balance: "low-balance alerts only",
};

/** The role group names the alert settings use (seed 000): the tenant roles, in the plural. */
export const ROLE_GROUP_LABELS: Record<TenantRole, string> = {
  org_admin: "Org Admins",
  billing_admin: "Billing Admins",
  tech_devops: "Tech/DevOps",
  support_manager: "Support Managers",
};
