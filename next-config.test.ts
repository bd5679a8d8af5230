import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
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
