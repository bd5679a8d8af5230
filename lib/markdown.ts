import { marked } from "marked";
import sanitizeHtml from "sanitize-html";

const ALLOWED_TAGS = [
  "p",
  "br",
  "strong",
  "em",
  "del",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
  "a",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
];

/** How many blockquotes and lists one line may open; marked recurses once per level. */
export const MAX_NESTING = 16;

/** One blockquote (`>`) or list item (`-`, `*`, `+`, `1.`, `1)`) marker at the start of a line. */
const MARKER = /[ \t]{0,3}(?:>[ \t]?|[-*+](?:[ \t]+|$)|\d{1,9}[.)](?:[ \t]+|$))/y;

/**
 * Drops the markers past MAX_NESTING at the start of each line, so a message of thousands of
 * nested `> ` renders as a few levels of quote instead of overflowing marked's stack.
 */
function capNesting(markdown: string): string {
  return markdown
    .split("\n")
    .map((line) => {
      let depth = 0;
      let at = 0;
      let keptUntil = 0;
      for (;;) {
        MARKER.lastIndex = at;
        const m = MARKER.exec(line);
        if (!m || m[0].length === 0) break;
        depth++;
        at += m[0].length;
        if (depth === MAX_NESTING) keptUntil = at;
      }
      return depth > MAX_NESTING ? line.slice(0, keptUntil) + line.slice(at) : line;
    })
    .join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Markdown from on-call staff becomes HTML that is safe to put on a public page: marked renders,
 * sanitize-html keeps only a small set of tags, and links get rel=nofollow noopener and http(s) or
 * mailto schemes only. Headings start at h3 so an update never outranks the page's own headings.
 */
export function renderMarkdown(markdown: string): string {
  let raw: string;
  try {
    raw = marked.parse(capNesting(markdown), { async: false, gfm: true, breaks: true });
  } catch {
    // Content must never fail a request: show it as plain text.
    raw = `<p>${escapeHtml(markdown).replace(/\r?\n/g, "<br>")}</p>`;
  }
  return sanitizeHtml(raw, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: { a: ["href", "title", "rel"] },
    allowedSchemes: ["http", "https", "mailto"],
    transformTags: {
      h1: "h3",
      h2: "h4",
      a: sanitizeHtml.simpleTransform("a", { rel: "nofollow noopener noreferrer" }),
    },
  }).trim();
}

/** Plain text for feeds' summaries, SMS and the like. */
export function markdownToText(markdown: string): string {
  return sanitizeHtml(renderMarkdown(markdown), { allowedTags: [], allowedAttributes: {} })
    .replace(/\s+/g, " ")
    .trim();
}
