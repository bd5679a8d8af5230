import { describe, expect, it } from "vitest";
import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import {
  EditUpdateForm,
  IncidentTemplateForm,
  OpenIncidentForm,
  PostmortemForm,
  ScheduleMaintenanceForm,
} from "./forms";

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

describe("templates, postmortems and corrections", () => {
  const template = {
    id: "t1",
    name: "Carrier outage",
    title: "Calls failing",
    body: "Investigating",
    category: "infrastructure",
    impact: "major",
    cells: [{ componentId: "c1", regionId: "r1", status: "partial_outage" }],
  };

  it("offers 'New incident from template' only when there are templates", () => {
    expect(renderToStaticMarkup(createElement(OpenIncidentForm, catalog))).not.toContain(
      "New incident from template",
    );
    const html = renderToStaticMarkup(
      createElement(OpenIncidentForm, { ...catalog, templates: [template] }),
    );
    expect(html).toContain("New incident from template");
    expect(html).toMatch(/<option value="t1">Carrier outage<\/option>/);
  });

  it("the template form starts from the template, its cells preselected", () => {
    const html = renderToStaticMarkup(
      createElement(IncidentTemplateForm, { ...catalog, template }),
    );
    expect(html).toContain('value="Calls failing"');
    expect(html).toMatch(/<option value="partial_outage" selected="">/);
  });

  it("ticks 'Notify subscribers' for a first postmortem, not for a revision", () => {
    const first = renderToStaticMarkup(
      createElement(PostmortemForm, { action, incidentId: "i1", current: null }),
    );
    const revision = renderToStaticMarkup(
      createElement(PostmortemForm, { action, incidentId: "i1", current: "Old text" }),
    );
    expect(first).toMatch(/name="notify" checked=""/);
    expect(revision).toContain('name="notify"');
    expect(revision).not.toMatch(/name="notify" checked=""/);
  });

  it("the correction form carries the update's ids and its current text", () => {
    const html = renderToStaticMarkup(
      createElement(EditUpdateForm, {
        action,
        incidentId: "i1",
        updateId: "u1",
        message: "Typo here",
      }),
    );
    expect(html).toContain('name="updateId" value="u1"');
    expect(html).toContain(">Typo here</textarea>");
  });
});
