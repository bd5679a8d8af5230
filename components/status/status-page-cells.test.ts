import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { createTestDb, type TestDb } from "@/db/test-db";
import { regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createComponent, createRegion, updateComponent } from "@/lib/catalog/manage";
import { openIncident } from "@/lib/incidents/open-incident";
import { loadStatusView } from "@/lib/status/read";
import { readFileSync } from "node:fs";
import { BANNER, StatusHeader, StatusPageBody } from "./status-page";

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

describe("the status page's words and contrast", () => {
  it("names the page in its one <h1>, and a component's outage in one region says where", async () => {
    const view = await loadStatusView(t.db, { viewerOrgId: null });
    const header = renderToStaticMarkup(
      createElement(StatusHeader, { page: view.page, signedIn: false }),
    );
    const h1 = /<h1[^>]*><a href="\/"[^>]*>([\s\S]*?)<\/a><\/h1>/.exec(header);
    expect(h1?.[1]?.replaceAll("<!-- -->", "")).toBe(`${view.page.name} status`);
    expect(header.split("<h1").length - 1).toBe(1);
    // The history page has its own h1: the name is not a second one there.
    expect(
      renderToStaticMarkup(
        createElement(StatusHeader, { page: view.page, signedIn: false, nameIsHeading: false }),
      ),
    ).not.toContain("<h1");

    const voice = view.components.find((c) => c.name === "Voice routing")!;
    const bom = view.regions.find((r) => r.code === "BOM")!;
    expect(voice.cells.length).toBeGreaterThan(1);
    await openIncident({
      ctx: await ctxFor(t.db, "oncall@beacon.test"),
      input: {
        title: "Mumbai calls failing",
        category: "infrastructure",
        impact: "major",
        message: "Looking",
        cells: [{ componentId: voice.id, regionId: bom.id, status: "major_outage" }],
      },
    });
    const html = await render();
    const item = html.slice(html.indexOf('data-testid="component-Voice routing"'));
    has(item.slice(0, item.indexOf("</li>")), "Major outage in Mumbai");
  });

  it("puts white text only on banners of 4.5:1 or more (WCAG AA)", () => {
    const css = readFileSync(new URL("../../app/globals.css", import.meta.url), "utf8");
    const luminance = (l: number, c: number, h: number) => {
      // OKLCH → linear sRGB (Björn Ottosson's OKLab matrices), then relative luminance.
      const a = c * Math.cos((h * Math.PI) / 180);
      const b = c * Math.sin((h * Math.PI) / 180);
      const L = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
      const M = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
      const S = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
      const clamp = (x: number) => Math.min(1, Math.max(0, x));
      const r = clamp(4.0767416621 * L - 3.3077115913 * M + 0.2309699292 * S);
      const g = clamp(-1.2684380046 * L + 2.6097574011 * M - 0.3413193965 * S);
      const bl = clamp(-0.0041960863 * L - 0.7034186147 * M + 1.707614701 * S);
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const white = Object.entries(BANNER).filter(([, cls]) => cls.includes("text-white"));
    expect(white.map(([k]) => k)).toContain("none");
    for (const [indicator, cls] of white) {
      const token = /bg-([\w-]+)/.exec(cls)![1]!;
      const m = new RegExp(`--color-${token}: oklch\\(([\\d.]+) ([\\d.]+) ([\\d.]+)\\)`).exec(css);
      expect(m, token).not.toBeNull();
      const ratio = 1.05 / (luminance(+m![1]!, +m![2]!, +m![3]!) + 0.05);
      expect(ratio, `${indicator} banner (${token})`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
