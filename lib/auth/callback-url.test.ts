import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./callback-url";

describe("safeCallbackUrl", () => {
  it("keeps same-site paths and refuses everything else", () => {
    expect(safeCallbackUrl("/portal/members?x=1")).toBe("/portal/members?x=1");
    expect(safeCallbackUrl("https://evil.example/")).toBe("/portal");
    expect(safeCallbackUrl("//evil.example")).toBe("/portal");
    expect(safeCallbackUrl("/\\evil.example")).toBe("/portal");
    expect(safeCallbackUrl(null)).toBe("/portal");
  });
});
