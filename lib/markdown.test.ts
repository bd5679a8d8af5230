import { describe, expect, it, vi } from "vitest";
import { marked } from "marked";
import { MAX_NESTING, markdownToText, renderMarkdown } from "./markdown";

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

describe("renderMarkdown with deeply nested content (issue 13)", () => {
  it("renders 6,000 nested quotes or list markers without overflowing the stack", () => {
    for (const marker of ["> ", "- ", "1. ", "> - ", ">"]) {
      const html = renderMarkdown(`${marker.repeat(6000)}deep`);
      expect(html).toContain("deep");
      expect(html.split(/<(?:blockquote|ul|ol)>/).length - 1).toBeLessThanOrEqual(MAX_NESTING);
    }
    expect(markdownToText(`${"> ".repeat(6000)}deep`)).toBe("deep");
  });

  it("keeps nesting up to the limit as it is", () => {
    const html = renderMarkdown(`${"> ".repeat(3)}three`);
    expect(html.split("<blockquote>").length - 1).toBe(3);
  });
});

describe("renderMarkdown when marked fails", () => {
  it("falls back to the escaped text instead of throwing", () => {
    const spy = vi.spyOn(marked, "parse").mockImplementation(() => {
      throw new RangeError("Maximum call stack size exceeded");
    });
    try {
      expect(renderMarkdown("<b>x</b> & y\nz")).toBe("<p>&lt;b&gt;x&lt;/b&gt; &amp; y<br />z</p>");
    } finally {
      spy.mockRestore();
    }
  });
});
