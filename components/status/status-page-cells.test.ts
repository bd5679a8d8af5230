import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { createTestDb, type TestDb } from "@/db/test-db";
import { regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createComponent, createRegion, updateComponent } from "@/lib/catalog/manage";
import { openIncident } from "@/lib/incidents/open-incident";
import { loadStatusView } from "@/lib/status/read";
import { StatusPageBody } from "./status-page";

// The public page as rendered: only real cells in the matrix, the catalogue's display flags.
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(() => t?.close());

// Booleans, so a failure names what is missing rather than printing the whole page.
const has = (html: string, s: string) => expect(html.includes(s), s).toBe(true);
const hasNot = (html: string, s: string) => expect(html.includes(s), s).toBe(false);

const render = async () =>
  renderToStaticMarkup(
    createElement(StatusPageBody, { view: await loadStatusView(t.db, { viewerOrgId: null }) }),
  );

describe("the status page's matrix and component list", () => {
  it("shows a new region and component, only their real cells, and the display flags", async () => {
    const admin = await ctxFor(t.db, "admin@beacon.test");
    const bom = (await t.db.select().from(regions)).find((r) => r.code === "BOM")!;
    const pop = await createRegion({
      ctx: admin,
      input: { code: "HYD", name: "Hyderabad", componentIds: [] },
    });
    const fax = await createComponent({
      ctx: admin,
      input: { name: "Fax relay", regionIds: [bom.id, pop.id] },
    });
    const quiet = await createComponent({
      ctx: admin,
      input: { name: "Legacy IVR", onlyShowIfDegraded: true, regionIds: [bom.id] },
    });
    let html = await render();
    has(html, "Hyderabad");
    has(html, 'data-testid="component-Fax relay"');
    has(html, 'title="Fax relay in Hyderabad: Operational');
    // Voice routing does not run in Hyderabad, nor Fax relay in Delhi: a dash there, no cell.
    has(html, 'data-testid="no-cell-Voice routing-HYD"');
    hasNot(html, 'title="Voice routing in Hyderabad');
    has(html, 'data-testid="no-cell-Fax relay-DEL"');
    hasNot(html, 'data-testid="no-cell-Fax relay-HYD"');
    // Only shown while degraded.
    hasNot(html, "Legacy IVR");
    await openIncident({
      ctx: await ctxFor(t.db, "oncall@beacon.test"),
      input: {
        title: "IVR prompts silent",
        category: "infrastructure",
        impact: "minor",
        message: "Looking",
        cells: [{ componentId: quiet.id, regionId: bom.id, status: "degraded_performance" }],
      },
    });
    html = await render();
    has(html, 'data-testid="component-Legacy IVR"');

    // Not showcased: listed without its uptime bars.
    const bars = (s: string) => s.split("Fax relay uptime").length - 1;
    expect(bars(html)).toBeGreaterThan(0);
    await updateComponent({ ctx: admin, input: { id: fax.id, showcase: false } });
    html = await render();
    has(html, 'data-testid="component-Fax relay"');
    expect(bars(html)).toBe(0);
  });
});
