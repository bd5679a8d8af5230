import "server-only";

/**
 * The right-most X-Forwarded-For hop: the address seen by the proxy nearest to Beacon. Entries to
 * its left are whatever the client chose to send, so a rate limit keyed on them is useless.
 */
export function clientAddressOf(h: Headers): string {
  const hops = h.get("x-forwarded-for")?.split(",") ?? [];
  return hops.at(-1)?.trim() || h.get("x-real-ip") || "unknown";
}
