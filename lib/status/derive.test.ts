import { describe, expect, it } from "vitest";
import { componentStatusText } from "./derive";

const names: Record<string, string> = {
  bom: "Mumbai",
  del: "Delhi",
  maa: "Chennai",
  blr: "Bengaluru",
};
const name = (id: string) => names[id];
const cells = (down: string[], status = "major_outage" as const) =>
  Object.keys(names).map((regionId) => ({
    regionId,
    status: down.includes(regionId) ? status : ("operational" as const),
  }));

describe("a component's status in words", () => {
  it("says where an outage is when it is not everywhere", () => {
    expect(componentStatusText("major_outage", cells(["bom"]), name)).toBe(
      "Major outage in Mumbai",
    );
    expect(componentStatusText("major_outage", cells(["bom", "del"]), name)).toBe(
      "Major outage in Mumbai and Delhi",
    );
    expect(componentStatusText("major_outage", cells(["bom", "del", "maa", "blr"]), name)).toBe(
      "Major outage",
    );
    expect(componentStatusText("operational", cells([]), name)).toBe("Operational");
  });

  it("names the regions at the component's status only, and counts beyond three", () => {
    const mixed = [
      { regionId: "bom", status: "major_outage" as const },
      { regionId: "del", status: "degraded_performance" as const },
      { regionId: "maa", status: "operational" as const },
    ];
    expect(componentStatusText("major_outage", mixed, name)).toBe("Major outage in Mumbai");
    const many = [...Array(5).keys()].map((i) => ({
      regionId: `r${i}`,
      status: i < 4 ? ("partial_outage" as const) : ("operational" as const),
    }));
    expect(componentStatusText("partial_outage", many, () => "X")).toBe(
      "Partial outage in 4 regions",
    );
  });
});
