import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { CellsForm, MoveButtons } from "./catalog";

const noop = async () => ({ ok: true as const, data: undefined });

describe("catalogue controls", () => {
  it("reorders with two labelled buttons, no dragging; the ends are disabled", () => {
    const first = renderToStaticMarkup(
      createElement(MoveButtons, {
        action: noop,
        id: "x",
        name: "Voice",
        first: true,
        last: false,
      }),
    );
    const buttons = [...first.matchAll(/<button[^>]*>/g)].map((m) => m[0]);
    expect(buttons).toHaveLength(2);
    // Real buttons: reachable with Tab, pressed with Enter or Space, named for screen readers.
    expect(buttons[0]).toContain('aria-label="Move Voice up"');
    expect(buttons[0]).toContain('disabled=""');
    expect(buttons[1]).toContain('aria-label="Move Voice down"');
    expect(buttons[1]).not.toContain('disabled=""');
    expect(first).not.toContain("draggable");
    expect(first).toContain('name="direction" value="down"');
  });

  it("ticks the real cells and sends each row's component", () => {
    const html = renderToStaticMarkup(
      createElement(CellsForm, {
        action: noop,
        components: [{ id: "c1", name: "Fax" }],
        regions: [
          { id: "r1", code: "BOM", name: "Mumbai" },
          { id: "r2", code: "DEL", name: "Delhi" },
        ],
        cells: ["c1:r1"],
      }),
    );
    expect(html).toContain('name="component" value="c1"');
    const boxes = [...html.matchAll(/<input type="checkbox"[^>]*>/g)].map((m) => m[0]);
    expect(boxes).toHaveLength(2);
    expect(boxes[0]).toContain('aria-label="Fax runs in Mumbai"');
    expect(boxes[0]).toContain("checked");
    expect(boxes[1]).toContain('aria-label="Fax runs in Delhi"');
    expect(boxes[1]).not.toContain("checked");
  });
});
