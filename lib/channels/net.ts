import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { EventEmitter } from "node:events";
import { Agent, request } from "undici";
import { DeliveryError, httpFailure } from "./errors";
import type { ChannelSettings } from "./settings";

/** Loopback, private, link-local (incl. cloud metadata 169.254.169.254), CGNAT, multicast, reserved. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible form (::a.b.c.d), then NAT64.
  ["::", 96],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(ip, "ipv6");
  }
  return true;
}

/** Resolves a host name to every address (node:dns lookup with `all: true`); tests inject their own. */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** What a delivery refused at connect time says; the tenant sees it in the delivery log. */
export const PRIVATE_DESTINATION_MESSAGE = "destination not allowed (private or internal address)";

/**
 * Raised at connect time when the address a host resolves to is not allowed. Its message does not
 * name the address: where an internal name points is for the server log (`host`, `address`), not
 * for the tenant reading the delivery log.
 */
export class PrivateAddressError extends Error {
  code = "EPRIVATEADDRESS";
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(PRIVATE_DESTINATION_MESSAGE);
  }
}

type LookupCallback = (
  err: Error | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for sockets: resolves, refuses private addresses, and hands the socket the address it
 * checked. The address used is the address checked, so a host that re-resolves to a private address
 * between the check before a send and the connection (DNS rebinding) is refused.
 */
export function pinnedLookup(resolve: Resolver) {
  return (host: string, options: { all?: boolean }, callback: LookupCallback) => {
    resolve(host).then(
      (addresses) => {
        const bad = addresses.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(new PrivateAddressError(host, bad.address), "");
        if (addresses.length === 0) return callback(new Error(`${host} does not resolve`), "");
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (e: Error) => callback(e, ""),
    );
  };
}

function guardedAgent(resolve: Resolver): Agent {
  return new Agent({ connect: { lookup: pinnedLookup(resolve) } });
}

const agents = new WeakMap<Resolver, Agent>();
function agentFor(resolve: Resolver): Agent {
  let agent = agents.get(resolve);
  if (!agent) agents.set(resolve, (agent = guardedAgent(resolve)));
  return agent;
}

/**
 * The checks that need no DNS: the scheme (and Slack's host), and an address written into the URL
 * that is private. Run before every send; a host name is checked when a connection to it is made
 * (pinnedLookup), which also covers a name that re-resolves between the save and the send.
 */
function refusedWithoutDns(
  url: URL,
  settings: Pick<ChannelSettings, "allowPrivate">,
  type?: string,
): string | null {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && settings.allowPrivate)) {
    return "must use https://";
  }
  if (type === "slack" && !settings.allowPrivate && url.hostname !== "hooks.slack.com") {
    return "must be a Slack incoming-webhook URL (https://hooks.slack.com/services/…)";
  }
  if (settings.allowPrivate) return null;
  const host = hostOf(url);
  return isIP(host) && isPrivateAddress(host) ? privateProblem(host) : null;
}

/** The URL's host without the brackets of an IPv6 literal. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

const privateProblem = (address: string) =>
  `resolves to a private, loopback, link-local or metadata address (${address}), which is not allowed`;

/** A refused destination: `problem` for a tenant admin, `network` when DNS or addresses were the cause. */
async function destinationProblem(
  url: URL,
  settings: Pick<ChannelSettings, "allowPrivate" | "resolver">,
  type?: string,
): Promise<{ problem: string; network: boolean } | null> {
  const quick = refusedWithoutDns(url, settings, type);
  // Of these, only a private address written into the URL is about the network.
  if (quick) return { problem: quick, network: quick.startsWith("resolves to") };
  if (settings.allowPrivate) return null;
  const host = hostOf(url);
  if (isIP(host)) return null; // an address in the URL was checked above
  let addresses: string[];
  try {
    addresses = (await (settings.resolver ?? systemResolver)(host)).map((a) => a.address);
  } catch {
    return { problem: `host ${host} does not resolve`, network: true };
  }
  const bad = addresses.find(isPrivateAddress);
  if (!bad) return null;
  // What an internal name resolves to is for the server log, not for whoever typed the URL.
  console.warn(`[beacon] destination refused: ${host} resolves to ${bad}`);
  return {
    problem: `host ${host} resolves to a private, loopback, link-local or metadata address, which is not allowed`,
    network: true,
  };
}

/** Why a destination URL is not acceptable, or null: checked when a tenant admin saves an endpoint. */
export async function checkDestinationUrl(
  url: URL,
  settings: Pick<ChannelSettings, "allowPrivate" | "resolver">,
  type?: string,
): Promise<string | null> {
  return (await destinationProblem(url, settings, type))?.problem ?? null;
}

/**
 * The same check for an anonymous subscriber's URL: a refusal for its network destination says
 * only "destination not allowed" (whether an internal name exists or where it points is not theirs
 * to learn); the detail goes to the server log.
 */
export async function checkPublicDestinationUrl(
  url: URL,
  settings: Pick<ChannelSettings, "allowPrivate" | "resolver">,
  type?: string,
): Promise<string | null> {
  const refused = await destinationProblem(url, settings, type);
  if (!refused) return null;
  if (!refused.network) return refused.problem;
  console.warn(`[beacon] public subscriber destination refused: ${url.host}: ${refused.problem}`);
  return "destination not allowed";
}

export interface PostResult {
  status: number;
  body: string;
}

/**
 * The request's deadline, as undici's `request` takes it: an emitter with `aborted`, `reason` and an
 * "abort" event. Cheaper than an AbortController, whose signal costs a transferable object per
 * request, a cost every delivery of a fan-out pays.
 */
class Deadline extends EventEmitter {
  aborted = false;
  reason: Error | undefined;
  private timer: ReturnType<typeof setTimeout>;
  private onExpire: ((e: Error) => void) | null = null;
  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = new DOMException("timed out", "TimeoutError");
      this.emit("abort");
      this.onExpire?.(this.reason);
    }, ms);
  }
  /**
   * Settles as `work` does, or rejects when the deadline passes first: for the phases undici does
   * not abort on a signal (DNS lookup, connect, TLS handshake), which would otherwise wait for
   * undici's own timeouts. One promise per request, not a race of two.
   */
  within<T>(work: Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(this.reason!);
    return new Promise<T>((resolve, reject) => {
      this.onExpire = reject;
      work.then(resolve, reject);
    });
  }
  clear() {
    clearTimeout(this.timer);
  }
}

/** Keeps this much of a response body for the delivery log. */
const BODY_KEPT = 2000;

/**
 * POSTs to a customer-supplied URL: the scheme and any literal address are re-checked, every new
 * connection goes only to an address checked as it connects (no DNS look-up per send: a pooled
 * connection was checked when it opened), redirects are not followed (they could lead to a
 * private address), and the whole exchange, body included, is abandoned at the timeout. Uses
 * undici's `request`, not `fetch`: the same connection pool without the WHATWG
 * Request/Response/stream layers, which cost four times as much per POST in bench/fanout.ts.
 */
export async function postToDestination(
  provider: string,
  rawUrl: string,
  init: { body: string; headers: Record<string, string> },
  settings: Pick<ChannelSettings, "allowPrivate" | "resolver" | "webhookTimeoutMs">,
): Promise<PostResult> {
  const url = new URL(rawUrl);
  const deadline = new Deadline(settings.webhookTimeoutMs);
  let status: number;
  let retryAfter: string | null;
  let body: string;
  try {
    const problem = refusedWithoutDns(url, settings);
    if (problem)
      throw new DeliveryError(`Destination refused: ${problem}`, {
        permanent: true,
        network: "refused",
      });
    const sending = request(url, {
      method: "POST",
      body: init.body,
      headers: init.headers,
      signal: deadline,
      // Private targets allowed (development, tests): the default pool. Otherwise every socket
      // connects only to an address checked at connect time.
      dispatcher: settings.allowPrivate ? undefined : agentFor(settings.resolver ?? systemResolver),
    });
    const res = await deadline.within(sending);
    status = res.statusCode;
    const ra = res.headers["retry-after"];
    retryAfter = (Array.isArray(ra) ? ra[0] : ra) ?? null;
    body = (await res.body.text().catch(() => "")).slice(0, BODY_KEPT);
  } catch (e) {
    if (e instanceof DeliveryError) throw e;
    const err = e as Error;
    const cause = err instanceof PrivateAddressError ? err : err.cause;
    if (cause instanceof PrivateAddressError) {
      console.warn(
        `[beacon] delivery destination refused: ${cause.host} resolves to ${cause.address}`,
      );
      throw new DeliveryError(`Destination refused: ${PRIVATE_DESTINATION_MESSAGE}`, {
        permanent: true,
        network: "refused",
      });
    }
    if (deadline.aborted)
      throw new DeliveryError(`${provider} timed out after ${settings.webhookTimeoutMs / 1000} s`, {
        network: "timeout",
      });
    const code =
      (err.cause as { code?: unknown } | undefined)?.code ?? (err as { code?: unknown }).code;
    throw new DeliveryError(
      `${provider} unreachable: ${(err.cause as Error)?.message ?? err.message}`,
      { network: "unreachable", networkCode: typeof code === "string" ? code : undefined },
    );
  } finally {
    deadline.clear();
  }
  if (status >= 300 && status < 400) {
    throw new DeliveryError(
      `${provider} answered with a redirect (HTTP ${status}); redirects are not followed`,
      { responseCode: status, permanent: true },
    );
  }
  if (status < 200 || status >= 300) throw httpFailure(provider, status, body, retryAfter);
  return { status, body };
}
