import { describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
vi.mock("@/server/database", () => ({ getDb: async () => ({}) }));
const { unsubscribeRoute } = await import("./unsubscribe-route");

const seen: string[] = [];
const route = unsubscribeRoute({
  document: (b) => b,
  question: "Unsubscribe?",
  unsubscribe: async (_db, token) => {
    seen.push(token);
    return "reader@example.com";
  },
  stops: "these updates",
  invalid: "No.",
});
const url = "http://localhost/api/subscribers/unsubscribe";
const form = { "content-type": "application/x-www-form-urlencoded" };

describe("the unsubscribe POST body cap", () => {
  it("reads a normal form", async () => {
    const res = await route.POST(
      new Request(url, { method: "POST", headers: form, body: "token=bsu_abc" }),
    );
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toBe("bsu_abc");
  });

  it("answers 413 to a declared Content-Length over the cap, before reading", async () => {
    const body = `token=x&pad=${"a".repeat(70 * 1024)}`;
    const res = await route.POST(
      new Request(url, {
        method: "POST",
        headers: { ...form, "content-length": String(body.length) },
        body,
      }),
    );
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/must be at most 65536 bytes/);
  });

  it("answers 413 to a streamed body once it passes the cap", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new TextEncoder().encode("a".repeat(16 * 1024)));
        if (pulled > 1000) c.close();
      },
    });
    const res = await route.POST(
      new Request(url, {
        method: "POST",
        headers: form,
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });
});
