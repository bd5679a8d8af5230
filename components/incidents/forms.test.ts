import { describe, expect, it } from "vitest";
import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { OpenIncidentForm, ScheduleMaintenanceForm } from "./forms";

const action = async () => ({ ok: true as const, data: null });
const catalog = {
  components: [{ id: "c1", name: "Voice" }],
  regions: [{ id: "r1", code: "BOM", name: "Mumbai" }],
  cells: ["c1:r1"],
  tenants: [],
  action,
};

describe("the incidents page's forms", () => {
  it("label each message box: the incident's and the maintenance's textareas have their own ids", () => {
    // Both forms are on one page, as /portal/incidents renders them.
    const html = renderToStaticMarkup(
      createElement(
        Fragment,
        null,
        createElement(OpenIncidentForm, catalog),
        createElement(ScheduleMaintenanceForm, catalog),
      ),
    );
    const ids = [...html.matchAll(/<textarea[^>]* id="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) {
      expect(html).toMatch(new RegExp(`<label for="${id}"[^>]*>[^<]+</label>`));
    }
    const all = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("the affected cells grid", () => {
  it("heads each region with its code and city", () => {
    const html = renderToStaticMarkup(createElement(OpenIncidentForm, catalog));
    expect(html).toContain(">BOM · Mumbai</th>");
  });
});
