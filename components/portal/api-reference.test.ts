import { describe, expect, it, vi } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ApiReference, anchorOf } from "./api-reference";

vi.mock("server-only", () => ({}));
const { openApiDocument } = await import("@/app/_server/openapi");

describe("the API reference page", () => {
  const doc = openApiDocument() as unknown as Parameters<typeof ApiReference>[0]["doc"];
  const html = renderToStaticMarkup(createElement(ApiReference, { doc }));

  it("shows every operation of the document, each with its anchor", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        expect(html).toContain(`id="${anchorOf(method, path)}"`);
        expect(html).toContain(`<code class="font-mono text-sm">/api/v1${path}</code>`);
      }
    }
  });

  it("lists a body's fields from the schema, nested ones included, and its example", () => {
    const patch = html.slice(
      html.indexOf(`id="${anchorOf("patch", "/endpoints/{id}")}"`),
      html.indexOf(`id="${anchorOf("delete", "/endpoints/{id}")}"`),
    );
    expect(patch).toContain("filters.minImpact");
    expect(patch).toContain("one of: none, minor, major, critical");
    expect(patch).toContain("alerts:manage");
    expect(patch).toContain("NOC webhook (Mumbai)");
    expect(patch).toContain('href="#error-ValidationFailed"');
  });

  it("explains the key and the error shape, and links the machine-readable document", () => {
    expect(html).toContain("Authorization: Bearer bk_");
    expect(html).toContain('id="error-ValidationFailed"');
    expect(html).toContain("filters.minImpact");
    expect(html).toContain('href="/api/v1/openapi.json"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!hooks\.example\.com)/);
  });
});
