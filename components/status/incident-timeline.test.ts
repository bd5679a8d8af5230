import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import type { IncidentView } from "@/lib/status/read";
import { IncidentCard, type Names } from "./incident-timeline";

const incident: IncidentView = {
  id: "i1",
  title: "Calls failing",
  status: "investigating",
  impact: "major",
  category: "infrastructure",
  tenantOnly: false,
  audienceOrgId: null,
  startedAt: "2026-03-10T10:00:00.000Z",
  createdAt: "2026-03-10T10:00:00.000Z",
  updatedAt: "2026-03-10T10:00:00.000Z",
  monitoringAt: null,
  resolvedAt: null,
  postmortem: null,
  postmortemHtml: null,
  postmortemPublishedAt: null,
  cells: [{ componentId: "c1", regionId: "r1", status: "major_outage" }],
  updates: [],
};
const names: Names = {
  components: [{ id: "c1", name: "Voice routing" }],
  regions: [{ id: "r1", code: "BOM", name: "Mumbai" }],
};
const render = (n: Names) =>
  renderToStaticMarkup(createElement(IncidentCard, { incident, names: n }));

describe("an incident's affected cells", () => {
  it("name the city on the public page", () => {
    expect(render(names)).toContain("affects Voice routing in Mumbai");
  });
  it("name the code and the city in the console", () => {
    expect(render({ ...names, regionCodes: true })).toContain(
      "affects Voice routing in BOM · Mumbai",
    );
  });
});
