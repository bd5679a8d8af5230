import { afterEach, describe, expect, it, vi } from "vitest";
import { checkDestinationUrl, checkPublicDestinationUrl, isPrivateAddress } from "./net";

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    // IPv4-compatible and NAT64 forms of loopback and the metadata address.
    "::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "fd00::1",
    "fe80::1",
    "not an address",
  ])("refuses %s", (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"])(
    "allows %s",
    (ip) => expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe("refusing a destination", () => {
  const settings = {
    allowPrivate: false,
    resolver: async (host: string) =>
      host === "db.internal.example"
        ? [{ address: "10.9.8.7", family: 4 }]
        : host === "public.example"
          ? [{ address: "93.184.216.34", family: 4 }]
          : Promise.reject(new Error("ENOTFOUND")),
  };
  afterEach(() => vi.restoreAllMocks());

  it("tells an anonymous subscriber only 'destination not allowed', and logs the detail", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const check = (u: string) => checkPublicDestinationUrl(new URL(u), settings, "webhook");
    expect(await check("https://db.internal.example/hook")).toBe("destination not allowed");
    expect(await check("https://nowhere.example/hook")).toBe("destination not allowed");
    expect(await check("https://10.0.0.1/hook")).toBe("destination not allowed");
    expect(await check("http://public.example/hook")).toBe("must use https://");
    expect(await check("https://public.example/hook")).toBeNull();
    expect(warn.mock.calls.map((c) => c.join(" ")).join("\n")).toContain("10.9.8.7");
  });

  it("tells a tenant admin the reason class, but never what a host name resolves to", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const problem = await checkDestinationUrl(
      new URL("https://db.internal.example/hook"),
      settings,
      "webhook",
    );
    expect(problem).toBe(
      "host db.internal.example resolves to a private, loopback, link-local or metadata address, which is not allowed",
    );
    expect(warn.mock.calls.map((c) => c.join(" ")).join("\n")).toContain("10.9.8.7");
    // An address typed into the URL is the admin's own input: it may be named.
    expect(await checkDestinationUrl(new URL("https://10.0.0.1/x"), settings, "webhook")).toContain(
      "(10.0.0.1)",
    );
  });
});
