import type { Db } from "@/db";
import { buildHistoryFeed } from "./feeds";
import { componentBadge, overallBadge } from "./badge";
import { listIncidents, listMaintenances, loadStatusView, type Viewer } from "./read";
import {
  spComponents,
  spIncident,
  spMaintenance,
  spPage,
  spStatus,
  spSummary,
  type Catalog,
} from "./statuspage";

/**
 * Every public document, by name, for the anonymous public only: route handlers and the
 * in-memory snapshot both serve what this returns, so they cannot disagree.
 */
export const PUBLIC_DOCUMENTS = [
  "summary.json",
  "status.json",
  "components.json",
  "incidents.json",
  "incidents/unresolved.json",
  "scheduled-maintenances.json",
  "scheduled-maintenances/upcoming.json",
  "scheduled-maintenances/active.json",
  "history.atom",
  "history.rss",
  "badge.svg",
] as const;
export type PublicDocument = (typeof PUBLIC_DOCUMENTS)[number];

export const CONTENT_TYPES: Record<string, string> = {
  json: "application/json; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  rss: "application/rss+xml; charset=utf-8",
  svg: "image/svg+xml; charset=utf-8",
};
export const contentTypeOf = (name: string) => CONTENT_TYPES[name.split(".").pop()!]!;

const PUBLIC: Viewer = { viewerOrgId: null };

export async function buildPublicDocument(
  db: Db,
  name: PublicDocument,
  { baseUrl, componentId }: { baseUrl: string; componentId?: string | null },
): Promise<{ body: string; contentType: string; notFound?: boolean }> {
  const view = await loadStatusView(db, PUBLIC);
  // The page's public URL setting, when set, is where its links point (else APP_URL).
  baseUrl = view.page.url ?? baseUrl;
  const cat: Catalog = { view, baseUrl };
  const json = (v: unknown) => ({ body: JSON.stringify(v), contentType: contentTypeOf(name) });
  switch (name) {
    case "summary.json":
      return json(spSummary(cat));
    case "status.json":
      return json(spStatus(cat));
    case "components.json":
      return json({ page: spPage(cat), components: spComponents(cat) });
    case "incidents.json":
      return json({
        page: spPage(cat),
        incidents: (await listIncidents(db, PUBLIC, { limit: 50 })).map((i) => spIncident(i, cat)),
      });
    case "incidents/unresolved.json":
      return json({ page: spPage(cat), incidents: view.incidents.map((i) => spIncident(i, cat)) });
    case "scheduled-maintenances.json":
      return json({
        page: spPage(cat),
        scheduled_maintenances: (await listMaintenances(db, PUBLIC, { limit: 50 })).map((m) =>
          spMaintenance(m, cat),
        ),
      });
    case "scheduled-maintenances/upcoming.json":
      return json({
        page: spPage(cat),
        scheduled_maintenances: (await listMaintenances(db, PUBLIC, { filter: "upcoming" })).map(
          (m) => spMaintenance(m, cat),
        ),
      });
    case "scheduled-maintenances/active.json":
      return json({
        page: spPage(cat),
        scheduled_maintenances: (await listMaintenances(db, PUBLIC, { filter: "active" })).map(
          (m) => spMaintenance(m, cat),
        ),
      });
    case "history.atom":
    case "history.rss": {
      const feed = buildHistoryFeed(
        { page: view.page, baseUrl, format: name === "history.atom" ? "atom" : "rss" },
        await listIncidents(db, PUBLIC, { limit: 50 }),
        await listMaintenances(db, PUBLIC, { limit: 25 }),
      );
      return {
        body: name === "history.atom" ? feed.atom1() : feed.rss2(),
        contentType: contentTypeOf(name),
      };
    }
    case "badge.svg": {
      if (!componentId)
        return { body: overallBadge(view.indicator), contentType: contentTypeOf(name) };
      const c = view.components.find((x) => x.id === componentId);
      if (!c)
        return {
          body: componentBadge("component", "operational").replace("Operational", "Unknown"),
          contentType: contentTypeOf(name),
          notFound: true,
        };
      return { body: componentBadge(c.name, c.status), contentType: contentTypeOf(name) };
    }
  }
}
