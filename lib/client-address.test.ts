import { describe, expect, it } from "vitest";
import {
  CLIENT_ADDRESS_HEADER,
  clientAddressFrom,
  parseTrustedProxies,
  rateKeyOf,
} from "./client-address";

const req = (socket: string | undefined, xff?: string) => {
  const h = new Headers();
  if (socket !== undefined) h.set(CLIENT_ADDRESS_HEADER, socket);
  if (xff !== undefined) h.set("x-forwarded-for", xff);
  return h;
};
const none = parseTrustedProxies(undefined);

describe("clientAddressFrom", () => {
  it("ignores a spoofed X-Forwarded-For without TRUSTED_PROXIES: the socket address counts", () => {
    expect(clientAddressFrom(req("203.0.113.7", "1.2.3.4"), none)).toBe("203.0.113.7");
    expect(clientAddressFrom(req("203.0.113.7", "9.9.9.9, 8.8.8.8"), none)).toBe("203.0.113.7");
    const h = req("203.0.113.7");
    h.set("x-real-ip", "1.1.1.1");
    expect(clientAddressFrom(h, none)).toBe("203.0.113.7");
  });

  it("without the server hook (no socket address) is one shared 'unknown', never the header", () => {
    expect(clientAddressFrom(req(undefined, "1.2.3.4"), none)).toBe("unknown");
    expect(clientAddressFrom(req(undefined, "1.2.3.4"), parseTrustedProxies("1"))).toBe("unknown");
  });

  it("with a hop count takes the address that many hops from the right", () => {
    const one = parseTrustedProxies("1");
    expect(clientAddressFrom(req("10.0.0.2", "6.6.6.6, 198.51.100.9"), one)).toBe("198.51.100.9");
    const two = parseTrustedProxies("2");
    expect(clientAddressFrom(req("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.1"), two)).toBe(
      "198.51.100.9",
    );
    // Fewer entries than hops: the left-most, written by the nearest proxy that saw the client.
    expect(clientAddressFrom(req("10.0.0.2", "198.51.100.9"), two)).toBe("198.51.100.9");
    // No header at all: the socket.
    expect(clientAddressFrom(req("10.0.0.2"), one)).toBe("10.0.0.2");
    // A proxy writing a port or brackets.
    expect(clientAddressFrom(req("10.0.0.2", "198.51.100.9:5544"), one)).toBe("198.51.100.9");
    // Garbage where an address should be: the socket (the proxy), not the garbage.
    expect(clientAddressFrom(req("10.0.0.2", "evil"), one)).toBe("10.0.0.2");
  });

  it("with CIDRs trusts the header only from those proxies, and skips them in the chain", () => {
    const t = parseTrustedProxies("10.0.0.0/8, 192.168.1.1/32");
    // From an untrusted socket the header is ignored.
    expect(clientAddressFrom(req("203.0.113.7", "1.2.3.4"), t)).toBe("203.0.113.7");
    // From a trusted proxy: the right-most address that is not itself a trusted proxy.
    expect(clientAddressFrom(req("10.0.0.2", "6.6.6.6, 198.51.100.9, 192.168.1.1"), t)).toBe(
      "198.51.100.9",
    );
    expect(clientAddressFrom(req("10.0.0.2", "10.1.1.1"), t)).toBe("10.1.1.1");
  });

  it("keys IPv6 by its /64 and IPv4-mapped IPv6 as the IPv4 address", () => {
    expect(clientAddressFrom(req("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), none)).toBe(
      "2001:db8:1:2::/64",
    );
    expect(clientAddressFrom(req("2001:db8:1:2::1"), none)).toBe("2001:db8:1:2::/64");
    expect(clientAddressFrom(req("2001:db8::1%eth0"), none)).toBe("2001:db8:0:0::/64");
    expect(clientAddressFrom(req("::ffff:198.51.100.9"), none)).toBe("198.51.100.9");
    const t = parseTrustedProxies("::ffff:10.0.0.0/104");
    expect(clientAddressFrom(req("::ffff:10.0.0.2", "[2001:db8:5:6::9]:443"), t)).toBe(
      "2001:db8:5:6::/64",
    );
    expect(rateKeyOf("2001:DB8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
  });
});

describe("parseTrustedProxies", () => {
  it("accepts a hop count or a list of CIDRs, and names what is wrong otherwise", () => {
    expect(parseTrustedProxies("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parseTrustedProxies("10.0.0.0/8,fd00::/8")).toMatchObject({ kind: "cidrs" });
    expect(parseTrustedProxies("127.0.0.1")).toMatchObject({ kind: "cidrs" });
    expect(() => parseTrustedProxies("0")).toThrow(/hop count from 1 to 10/);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/"10.0.0.0\/33" is not/);
    expect(() => parseTrustedProxies("proxy.internal")).toThrow(/"proxy.internal" is not/);
  });
});
