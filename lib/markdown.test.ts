import { describe, expect, it } from "vitest";
import { markdownToText, renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("keeps formatting, lists and safe links", () => {
    const html = renderMarkdown(
      "**Calls** fail in _Mumbai_.\n\n- retry\n- [status](https://example.com/x)",
    );
    expect(html).toContain("<strong>Calls</strong>");
    expect(html).toContain("<em>Mumbai</em>");
    expect(html).toContain("<li>retry</li>");
    expect(html).toContain(
      '<a href="https://example.com/x" rel="nofollow noopener noreferrer">status</a>',
    );
  });

  it("removes scripts, event handlers, images and javascript: links", () => {
    const html = renderMarkdown(
      '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a> [y](javascript:alert(4)) <b onclick="alert(5)">b</b>',
    );
    expect(html).not.toMatch(/<script|onerror|onclick|href="javascript:|<img/i);
    // The unsafe href is dropped (the anchor stays, inert); marked leaves [y](javascript:...) as text.
    expect(html).toContain('<a rel="nofollow noopener noreferrer">x</a> [y](javascript:alert(4))');
  });

  it("demotes headings below the page's own", () => {
    expect(renderMarkdown("# Root cause")).toBe("<h3>Root cause</h3>");
  });

  it("gives plain text for summaries", () => {
    expect(markdownToText("**Fixed** <script>x</script> at 10:00")).toBe("Fixed at 10:00");
  });
});
