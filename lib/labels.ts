import type {
  Channel,
  Delivery,
  DigestMode,
  EndpointType,
  Impact,
  AlertCategory,
  TenantRole,
} from "@/db/schema";

/**
 * What people read for the alert settings' values, in one place: the portal's views and the
 * channels' messages use these. Type-only imports, so client components can use them too.
 */

export const CATEGORY_LABELS: Record<AlertCategory, string> = {
  infrastructure: "Infrastructure",
  billing: "Billing",
  configurable: "Configurable",
  maintenance: "Maintenance",
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

/**
 * A time as the delivery log and the routing trace write it: "2026-11-30 09:15 UTC" (with seconds
 * where they matter, such as a retry a few seconds away).
 */
export function logTime(at: Date, opts: { seconds?: boolean } = {}): string {
  return `${at
    .toISOString()
    .slice(0, opts.seconds ? 19 : 16)
    .replace("T", " ")} UTC`;
}

/**
 * The provider id an email or SMS gets when it was only stored in the development mailbox (no
 * provider configured): it was never sent, so people read it as such, never as "Delivered".
 */
export const DEV_MAILBOX_PROVIDER_PREFIX = "devmail:";
export const DEV_MAILBOX_LABEL = "In dev mailbox (not sent)";

/** True when a "delivered" message only reached the development mailbox. */
export function inDevMailbox(d: { status: string; providerId?: string | null }): boolean {
  return d.status === "delivered" && !!d.providerId?.startsWith(DEV_MAILBOX_PROVIDER_PREFIX);
}

/**
 * A delivery's state as the portal shows it: deliveryStateLabel (which the API also returns),
 * except that a message that only reached the development mailbox says so.
 */
export function deliveryStatusText(
  d: Pick<Delivery, "status" | "attempts"> & { providerId?: string | null },
): string {
  return inDevMailbox(d) ? DEV_MAILBOX_LABEL : deliveryStateLabel(d);
}

/** A region as the console names it: its code and its city, as the public page names it ("DEL · Delhi"). */
export function regionLabel(r: { code: string; name: string }): string {
  return `${r.code} · ${r.name}`;
}

type LoggedDelivery = Pick<Delivery, "status" | "attempts" | "error" | "runAt" | "trace">;

/**
 * A delivery's state as the log shows it: its status, except that a pending delivery that has
 * already been tried is "retrying" (its last error and next try are its reason).
 */
export function deliveryStateLabel(d: Pick<Delivery, "status" | "attempts">): string {
  return d.status === "pending" && d.attempts > 0 ? "retrying" : d.status;
}

/**
 * Why a delivery is where it is, in one line for the log: the trace step that decided a skipped,
 * suppressed or held delivery ("skipped: endpoint disabled on … (410 Gone)"); the last error of a
 * failed one; the last error and the next try of one being retried ("… timed out after 15 s,
 * retrying at …"); quiet hours for one they delay. Null when there is nothing to say.
 */
export function deliveryReason(d: LoggedDelivery): string | null {
  const step = (outcome: string) => d.trace.find((s) => s.outcome === outcome)?.detail ?? null;
  switch (d.status) {
    case "skipped":
    case "suppressed":
    case "held":
      return step(d.status);
    case "failed":
      return d.error;
    case "pending":
      if (d.attempts > 0 && d.error)
        return `${d.error}, retrying at ${logTime(d.runAt, { seconds: true })}`;
      return d.attempts === 0 ? step("delayed") : null;
    default:
      return null;
  }
}
