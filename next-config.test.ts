import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
// The parser Next itself applies to bodySizeLimit (next/dist/server/app-render/action-handler).
// @ts-expect-error Next's vendored `bytes` has no declaration file
import bytes from "next/dist/compiled/bytes/index.js";
import { MAX_POSTMORTEM_LENGTH } from "@/lib/incidents/schemas";
// @ts-expect-error next.config.js is plain JavaScript, without a declaration file
import config from "./next.config.js";

const nextConfig = config as NextConfig;

type Rule = { source: string; headers: { key: string; value: string }[] };

async function headersFor(path: string): Promise<Record<string, string>> {
  const rules = ((await nextConfig.headers?.()) ?? []) as Rule[];
  const out: Record<string, string> = {};
  for (const r of rules) {
    // Next's sources here are "/x" or "/x/:path*".
    const base = r.source.replace(/\/:path\*$/, "");
    if (path === base || (r.source.endsWith("/:path*") && path.startsWith(`${base}/`))) {
      for (const h of r.headers) out[h.key.toLowerCase()] = h.value;
    }
  }
  return out;
}

describe("next.config headers", () => {
  it("forbids framing the portal, sign-in and invitation pages (clickjacking)", async () => {
    for (const path of ["/portal", "/portal/incidents/x", "/signin", "/invite/abc"]) {
      const h = await headersFor(path);
      expect(h["x-frame-options"], path).toBe("DENY");
      expect(h["content-security-policy"], path).toBe("frame-ancestors 'none'");
    }
  });

  it("leaves the public status page framable, as it is today", async () => {
    for (const path of ["/", "/history", "/incidents/x", "/api/v2/summary.json"]) {
      const h = await headersFor(path);
      expect(h["x-frame-options"], path).toBeUndefined();
      expect(h["content-security-policy"], path).toBeUndefined();
    }
  });
});

describe("next.config server actions", () => {
  const parse = (bytes as { parse: (v: string | number) => number | null }).parse;
  const limit = nextConfig.experimental?.serverActions?.bodySizeLimit;
  const NEXT_DEFAULT = 1024 * 1024;

  it("refuses server-action bodies well below Next's 1 MB default", () => {
    expect(limit, "experimental.serverActions.bodySizeLimit").toBeDefined();
    const max = parse(limit!)!;
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(512 * 1024);
    // Next answers 413 to a body over the limit, so a 1 MB body (accepted before) is refused.
    expect(NEXT_DEFAULT).toBeGreaterThan(max);
  });

  it("still fits the largest form: a full postmortem in three-byte characters, with room to spare", () => {
    const max = parse(limit!)!;
    // zod counts UTF-16 units; one unit is at most three bytes of UTF-8 (a pair is four for two).
    const postmortemBytes = 3 * MAX_POSTMORTEM_LENGTH;
    expect(Buffer.byteLength("€".repeat(MAX_POSTMORTEM_LENGTH))).toBe(postmortemBytes);
    expect(max).toBeGreaterThanOrEqual(postmortemBytes + 64 * 1024);
  });
});
