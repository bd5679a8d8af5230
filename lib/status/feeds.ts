import { Feed } from "feed";
import { markdownToText } from "@/lib/markdown";
import type { IncidentView, MaintenanceView, PageView } from "./read";

const STATUS_WORDS: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  verifying: "Verifying",
  completed: "Completed",
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function timelineHtml(
  updates: { status: string; messageHtml: string; createdAt: string }[],
): string {
  return updates
    .map(
      (u) =>
        `<p><small>${u.createdAt.replace("T", " ").slice(0, 16)} UTC</small><br/><strong>${STATUS_WORDS[u.status] ?? u.status}</strong> - ${u.messageHtml.replace(/^<p>|<\/p>$/g, "")}</p>`,
    )
    .join("\n");
}

/**
 * The incident and maintenance history as Atom and RSS (`/history.atom`, `/history.rss`, the
 * names Statuspage uses). Only what the anonymous public may see is passed in.
 *
 * The `feed` library marks Atom entry titles `type="html"`, so for Atom the titles are escaped
 * HTML: a title such as `<b>API</b> & SIP` shows as those words, not as markup. RSS titles are
 * plain text and stay as written.
 */
export function buildHistoryFeed(
  { page, baseUrl, format }: { page: PageView; baseUrl: string; format: "atom" | "rss" },
  incidents: readonly IncidentView[],
  maintenances: readonly MaintenanceView[],
): Feed {
  const feed = new Feed({
    id: baseUrl,
    title: `${page.name} status - incident history`,
    description: `Incidents and maintenance for ${page.name}`,
    link: baseUrl,
    language: "en",
    updated: new Date(page.updatedAt),
    generator: "Beacon",
    copyright: page.name,
    feedLinks: {
      atom: new URL("/history.atom", baseUrl).toString(),
      rss: new URL("/history.rss", baseUrl).toString(),
    },
  });
  const titleFor = (title: string) => (format === "atom" ? escapeHtml(title) : title);
  const items = [
    ...incidents.map((i) => ({
      title: titleFor(i.title),
      id: new URL(`/incidents/${i.id}`, baseUrl).toString(),
      link: new URL(`/incidents/${i.id}`, baseUrl).toString(),
      date: new Date(i.updatedAt),
      published: new Date(i.startedAt),
      description: i.updates[0]
        ? `${STATUS_WORDS[i.updates[0].status]} - ${markdownToText(i.updates[0].message)}`
        : "",
      content: timelineHtml(i.updates),
    })),
    ...maintenances.map((m) => ({
      title: titleFor(`Maintenance: ${m.title}`),
      id: new URL(`/maintenances/${m.id}`, baseUrl).toString(),
      link: new URL(`/maintenances/${m.id}`, baseUrl).toString(),
      date: new Date(m.updatedAt),
      published: new Date(m.createdAt),
      description: `${STATUS_WORDS[m.status]} - window ${m.scheduledFor} to ${m.scheduledUntil} (UTC)`,
      content: timelineHtml(m.updates),
    })),
  ].sort((a, b) => b.date.getTime() - a.date.getTime());
  for (const item of items) feed.addItem(item);
  return feed;
}
