/**
 * Alert messages and their wording. lib/alerts/ builds them and the channel adapters render them;
 * they live beside the channels so that channels import nothing from lib/alerts/.
 */
import type { NotificationKind, NotificationPayload } from "@/db/schema";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import type { CustomText } from "./templates";

/** What every channel renders from: one notification, or several for a digest. */
export interface AlertItem {
  kind: NotificationKind;
  payload: NotificationPayload;
  createdAt: Date;
}

/** The AlertItem of a notification job (its row or any object with these columns). */
export function alertItemOf(job: AlertItem): AlertItem {
  return { kind: job.kind, payload: job.payload, createdAt: job.createdAt };
}

export interface AlertMessage {
  /** Single alert or a digest of several. */
  items: AlertItem[];
  digest: boolean;
  subject: string;
  text: string;
  url: string;
  /**
   * The tenant's own wording for this delivery's channel (lib/channels/templates.ts), already
   * rendered and escaped; the adapter sends it instead of its default layout.
   */
  custom?: CustomText;
}

const KIND_VERBS: Record<NotificationKind, string> = {
  "incident.created": "New incident",
  "incident.updated": "Incident update",
  "incident.resolved": "Resolved",
  "incident.postmortem": "Postmortem",
  "maintenance.scheduled": "Maintenance scheduled",
  "maintenance.started": "Maintenance started",
  "maintenance.completed": "Maintenance completed",
  "maintenance.reminder": "Maintenance reminder",
  "maintenance.rescheduled": "Maintenance rescheduled",
  "maintenance.cancelled": "Maintenance cancelled",
  "alert.test": "Test alert",
  "threshold.triggered": "Threshold crossed",
  "threshold.recovered": "Threshold recovered",
  "user.warning": "Warning",
  "ticket.notice": "Support",
  "oncall.page": "On-call page",
};

export function itemHeadline(item: AlertItem): string {
  const p = item.payload;
  // A warning about the member's own things, not an incident: its category and impact say nothing.
  if (item.kind === "user.warning" || item.kind === "ticket.notice")
    return `${KIND_VERBS[item.kind]}: ${p.title}`;
  // An advisory: no impact to speak of.
  if (p.category === "maintenance") return `${KIND_VERBS[item.kind]}: ${p.title}`;
  return `${KIND_VERBS[item.kind]} · ${IMPACT_LABELS[p.impact]} ${CATEGORY_LABELS[p.category]}: ${p.title}`;
}

export function itemUrl(item: AlertItem, appUrl: string): string {
  if (item.payload.url) return new URL(item.payload.url, appUrl).toString();
  if (item.payload.incidentId) return `${appUrl}/incidents/${item.payload.incidentId}`;
  return `${appUrl}/`;
}

function itemText(item: AlertItem, appUrl: string): string {
  const p = item.payload;
  return [
    itemHeadline(item),
    p.status ? `Status: ${p.status}` : null,
    p.message ? p.message : null,
    itemUrl(item, appUrl),
    // An on-call page: one click acknowledges it (a signed, single-use, expiring link).
    p.ackUrl ? `Acknowledge: ${new URL(p.ackUrl, appUrl).toString()}` : null,
  ]
    .filter(Boolean)
    .join("\n");
}

export function renderMessage(items: AlertItem[], appUrl: string, digest = false): AlertMessage {
  const first = items[0]!;
  if (!digest) {
    return {
      items,
      digest,
      subject: `[Beacon] ${itemHeadline(first)}`,
      text: itemText(first, appUrl),
      url: itemUrl(first, appUrl),
    };
  }
  return {
    items,
    digest,
    subject: `[Beacon] Digest: ${items.length} alert${items.length === 1 ? "" : "s"}`,
    text: items.map((i) => itemText(i, appUrl)).join("\n\n---\n\n"),
    url: `${appUrl}/portal/deliveries`,
  };
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
