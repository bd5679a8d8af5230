import { randomBytes } from "node:crypto";
import { DeliveryError } from "@/lib/channels/errors";
import { postToDestination } from "@/lib/channels/net";
import type { ChannelSettings } from "@/lib/channels/settings";
import { WEBHOOK_EVENT_VERSION, webhookHeaders } from "@/lib/channels/webhook";

/**
 * Verifying a webhook subscriber's URL before anything is sent to it. Anyone can type any URL into
 * the public form, so Beacon first POSTs a signed verification event carrying a random challenge
 * and confirms the subscriber only if the URL echoes that value back quickly (as Slack's
 * url_verification and Zoom's endpoint validation do). A URL that is not a willing receiver (a
 * victim's API, a tarpit) never answers it and so never receives updates.
 */

/** The event type of the verification request (docs/webhooks.md). */
export const CHALLENGE_EVENT_TYPE = "subscription.verification";

/** How long the URL has to answer: far less than a delivery's 15 s, so a tarpit costs little. */
export const CHALLENGE_TIMEOUT_MS = 5000;

export type ChallengeOutcome = { ok: true } | { ok: false; reason: string };

export type ChallengeSettings = Pick<ChannelSettings, "allowPrivate" | "resolver">;

/** The verification event's body: the challenge sits in `data`, so an echo of the body is no answer. */
export function challengeEvent(challenge: string, subscriberId: string, now: Date) {
  return {
    type: CHALLENGE_EVENT_TYPE,
    version: WEBHOOK_EVENT_VERSION,
    timestamp: now.toISOString(),
    data: { challenge, subscriber_id: subscriberId },
  };
}

/** True when the response body is `{"challenge": "<value>"}` (or the bare value as text). */
export function answersChallenge(body: string, challenge: string): boolean {
  const text = body.trim();
  if (text === challenge) return true;
  try {
    const json: unknown = JSON.parse(text);
    return (
      typeof json === "object" &&
      json !== null &&
      (json as { challenge?: unknown }).challenge === challenge
    );
  } catch {
    return false;
  }
}

const CONNECT_FAILURES: Record<string, string> = {
  ECONNREFUSED: "the connection was refused",
  ECONNRESET: "the connection was reset",
  UND_ERR_SOCKET: "the connection was closed",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "no route to the host",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve",
};

/**
 * Why the answer was no answer, worded for an anonymous visitor: never an address or an internal
 * name (a refused destination is only "destination not allowed"; the detail is in the server log).
 */
function reasonOf(e: unknown, timeoutMs: number): string {
  if (!(e instanceof DeliveryError)) throw e;
  const { network, networkCode, responseCode } = e.opts;
  if (network === "refused") {
    console.warn(`[beacon] webhook subscriber verification refused: ${e.message}`);
    return "destination not allowed";
  }
  if (network === "timeout") return `timed out: no answer within ${timeoutMs / 1000} s`;
  if (network === "unreachable") {
    const why = networkCode && CONNECT_FAILURES[networkCode];
    if (!why && networkCode?.startsWith("ERR_TLS")) return "could not connect: TLS failed";
    return `could not connect${why ? `: ${why}` : ""}`;
  }
  if (responseCode && responseCode >= 300 && responseCode < 400)
    return `answered with a redirect (HTTP ${responseCode}); redirects are not followed`;
  if (responseCode) return `answered HTTP ${responseCode} instead of 2xx`;
  return "could not connect";
}

/**
 * POSTs the signed verification event to `url` and says whether it echoed the challenge within
 * `timeoutMs`. Goes through the one HTTP client, so the SSRF guard checks each connection. Holds
 * no database transaction: callers run it between their own short ones.
 */
export async function challengeWebhook(
  url: string,
  opts: {
    secrets: string[];
    subscriberId: string;
    settings: ChallengeSettings;
    timeoutMs?: number;
    now?: Date;
  },
): Promise<ChallengeOutcome> {
  const timeoutMs = opts.timeoutMs ?? CHALLENGE_TIMEOUT_MS;
  const now = opts.now ?? new Date();
  const challenge = randomBytes(24).toString("base64url");
  const body = JSON.stringify(challengeEvent(challenge, opts.subscriberId, now));
  const msgId = `msg_verify_${randomBytes(12).toString("hex")}`;
  let answer: string;
  try {
    const res = await postToDestination(
      "Webhook",
      url,
      { body, headers: webhookHeaders(opts.secrets, msgId, now, body) },
      { ...opts.settings, webhookTimeoutMs: timeoutMs },
    );
    answer = res.body;
  } catch (e) {
    return { ok: false, reason: reasonOf(e, timeoutMs) };
  }
  if (answersChallenge(answer, challenge)) return { ok: true };
  return {
    ok: false,
    reason: `wrong answer: the response body must be {"challenge": "<data.challenge>"} with the value sent`,
  };
}
