import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The README and the docs send readers only to files in the repository (tracked by git), and to
// headings that exist. External links (https://…) are not checked.
const ROOT = path.resolve(import.meta.dirname, "..");
const tracked = new Set(
  execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean),
);
const DOCS = [...tracked].filter(
  (f) => f === "README.md" || /^docs\/[^/]+\.md$/.test(f) || f === "lib/VERBS.md",
);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*]/g, "")
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(path.join(ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

describe("links in the README and docs", () => {
  it("lists the documents it checks", () => {
    expect(DOCS).toContain("README.md");
    expect(DOCS).toContain("docs/benchmarks.md");
  });

  it.each(DOCS)("%s links only to tracked files and existing headings", (doc) => {
    const text = readFileSync(path.join(ROOT, doc), "utf8");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [file, anchor] = target!.split("#") as [string, string | undefined];
      const resolved = file
        ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), file))
        : doc;
      if (resolved.startsWith("..") || !tracked.has(resolved)) {
        broken.push(`${target}: not a file in the repository`);
      } else if (anchor && resolved.endsWith(".md") && !anchorsIn(resolved).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${resolved}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
