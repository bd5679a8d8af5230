import { BlockList, isIP } from "node:net";

/**
 * Which address a request came from, for rate limits. The socket address is the only thing a
 * client cannot choose; `X-Forwarded-For` is honoured only as far as TRUSTED_PROXIES says the
 * proxies in front of Beacon can be trusted to write it.
 *
 * The socket address reaches route handlers in CLIENT_ADDRESS_HEADER, set by the server hook
 * (server/client-address.ts) after it drops any value the client sent. Without the hook (e.g.
 * `next dev`) there is no socket address, and every request counts as one shared "unknown".
 */

export const CLIENT_ADDRESS_HEADER = "x-beacon-client-address";

export type TrustedProxies =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; cidrs: string[]; list: BlockList };

const MAX_HOPS = 10;

/** Parses TRUSTED_PROXIES: unset, a hop count (`1`, `2`…), or a comma list of CIDRs / addresses. */
export function parseTrustedProxies(raw: string | undefined): TrustedProxies {
  const value = raw?.trim() ?? "";
  if (value === "") return { kind: "none" };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > MAX_HOPS)
      throw new Error(`must be a hop count from 1 to ${MAX_HOPS}, or a comma list of CIDRs`);
    return { kind: "hops", hops };
  }
  const list = new BlockList();
  const cidrs = value.split(",").map((s) => s.trim());
  for (const cidr of cidrs) {
    const [net = "", prefixText, ...rest] = cidr.split("/");
    const type = isIP(net);
    const max = type === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      type === 0 ||
      rest.length > 0 ||
      (prefixText !== undefined && !/^\d+$/.test(prefixText)) ||
      prefix > max
    ) {
      throw new Error(
        `"${cidr}" is not a hop count or a CIDR such as 10.0.0.0/8 or fd00::/8 (a comma list of them)`,
      );
    }
    list.addSubnet(net, prefix, type === 4 ? "ipv4" : "ipv6");
  }
  return { kind: "cidrs", cidrs, list };
}

/** An address as a proxy may write it ("1.2.3.4:80", "[::1]:443", "fe80::1%eth0"), or null. */
function cleanAddress(raw: string | undefined | null): string | null {
  let a = raw?.trim() ?? "";
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  a = a.replace(/%.*$/, "");
  if (isIP(a) === 0) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a.toLowerCase();
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
}

/** The first four groups of an IPv6 address (one client usually holds a whole /64). */
function ipv6Prefix64(address: string): string {
  let a = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = "", tail] = a.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g: string) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/** The rate-limit key for an address: IPv4 as is, IPv6 by its /64, anything else "unknown". */
export function rateKeyOf(raw: string): string {
  const a = cleanAddress(raw);
  if (!a) return "unknown";
  return isIP(a) === 6 ? ipv6Prefix64(a) : a;
}

/** The client's address (as a rate-limit key) from the request headers, per TRUSTED_PROXIES. */
export function clientAddressFrom(h: Headers, trusted: TrustedProxies): string {
  const socket = cleanAddress(h.get(CLIENT_ADDRESS_HEADER));
  if (!socket) return "unknown";
  if (trusted.kind === "none") return rateKeyOf(socket);
  const hops = (h.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (hops.length === 0) return rateKeyOf(socket);
  if (trusted.kind === "hops") {
    // The socket is the nearest proxy; each trusted proxy appended the address it saw.
    const chosen = hops[Math.max(0, hops.length - trusted.hops)];
    return rateKeyOf(cleanAddress(chosen) ?? socket);
  }
  if (!isTrusted(trusted.list, socket)) return rateKeyOf(socket);
  // Walk right to left past trusted proxies; the first other address is the client.
  let last = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const a = cleanAddress(hops[i]);
    if (!a) return rateKeyOf(last);
    last = a;
    if (!isTrusted(trusted.list, a)) return rateKeyOf(a);
  }
  return rateKeyOf(last);
}
