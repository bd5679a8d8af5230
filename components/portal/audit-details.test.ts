import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AuditDetails } from "./audit-details";

describe("an audit row's details", () => {
  it("are shown as escaped JSON text, never as markup", () => {
    const html = renderToStaticMarkup(
      createElement(AuditDetails, {
        data: { name: '<script>alert("x")</script>', to: "a&b" },
      }),
    );
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;");
    expect(html).toContain("a&amp;b");
    expect(html.startsWith("<pre")).toBe(true);
  });

  it("show a dash when nothing was recorded", () => {
    expect(renderToStaticMarkup(createElement(AuditDetails, { data: {} }))).toContain("—");
  });
});
