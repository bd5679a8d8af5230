import "server-only";
import { clientAddressFrom } from "@/lib/client-address";
import { env } from "@/lib/env";

/**
 * The client's address for rate limits: the socket address (set by the server hook), or the
 * X-Forwarded-For entry that TRUSTED_PROXIES says to believe. IPv6 is keyed by its /64.
 */
export function clientAddressOf(h: Headers): string {
  return clientAddressFrom(h, env.TRUSTED_PROXIES);
}
