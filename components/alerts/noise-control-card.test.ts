import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { NoiseControlCard } from "./noise-control-card";

const save = async () => ({ ok: true as const, data: undefined });

describe("the region filter", () => {
  it("names each region by its code and its city, as the public page names it", () => {
    const html = renderToStaticMarkup(
      createElement(NoiseControlCard, {
        filters: { componentIds: [], regionIds: ["r2"], minImpact: "none" },
        digestMode: "immediate",
        quietHours: {
          enabled: false,
          start: "22:00",
          end: "07:00",
          timeZone: "UTC",
          allowCritical: true,
        },
        components: [{ id: "c1", name: "Voice routing" }],
        regions: [
          { id: "r1", code: "BOM", name: "Mumbai" },
          { id: "r2", code: "DEL", name: "Delhi" },
        ],
        manage: true,
        save,
      }),
    );
    expect(html).toMatch(/value="r1"[^>]*\/>BOM · Mumbai<\/label>/);
    expect(html).toMatch(/checked="" value="r2"\/>DEL · Delhi<\/label>/);
  });
});
