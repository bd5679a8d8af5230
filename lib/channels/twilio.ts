import { createHmac, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import type { ProviderReport } from "./types";
import { parseInput, UnauthorizedError, ValidationError } from "@/lib/errors";
import { callProvider, httpFailure, readJson } from "./errors";
import { isPrivateAddress } from "./net";
import type { ChannelSettings } from "./settings";

/**
 * Twilio, an SMS provider: sending a message and reading the status callbacks it posts about it
 * (POST /api/providers/twilio/status; applied by lib/providers/callbacks.ts). Written with fetch
 * and node:crypto rather than the Twilio SDK.
 */

/** The route Twilio posts message status callbacks to. */
const TWILIO_STATUS_PATH = "/api/providers/twilio/status";

/**
 * The StatusCallback URL sent with every message. Built from the configured APP_URL only: the
 * signature covers the URL, so it must be the address Twilio was given, and a Host header (which
 * anyone can set) must never decide where Twilio reports or what we verify against.
 */
export function twilioStatusCallbackUrl(appUrl: string): string {
  return `${appUrl.replace(/\/$/, "")}${TWILIO_STATUS_PATH}`;
}

/**
 * The StatusCallback to send, or null when APP_URL is an address Twilio can never reach
 * (localhost, a private network, a reserved name): Twilio refuses to create a message whose
 * StatusCallback it cannot use (error 21609), and an SMS matters more than its receipt.
 */
export function statusCallbackFor(appUrl: string): string | null {
  const host = new URL(appUrl).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const reachable = isIP(host)
    ? !isPrivateAddress(host)
    : host.includes(".") &&
      !host.includes("_") &&
      !/\.(localhost|local|internal|test|invalid)$/.test(host);
  return reachable ? twilioStatusCallbackUrl(appUrl) : null;
}

/**
 * Twilio's request signature (X-Twilio-Signature): HMAC-SHA1, keyed with the account's auth token,
 * over the full URL Twilio requested followed by every POST parameter as name then value, sorted
 * by name, with no separators; base64. Written here with node:crypto rather than pulling in the
 * whole Twilio SDK (an HTTP client, JWT and XML libraries) for one HMAC.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Iterable<[string, string]>,
): string {
  const sorted = [...params].sort(([ak, av], [bk, bv]) =>
    ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  const data = url + sorted.map(([k, v]) => k + v).join("");
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/**
 * Twilio's signing has not always agreed with itself about the scheme's default port, so both
 * forms of the configured URL are accepted (as its own helper libraries do); no other URL is.
 */
function urlForms(url: string): string[] {
  const u = new URL(url);
  if (u.port) return [url];
  const port = u.protocol === "https:" ? "443" : "80";
  return [url, `${u.protocol}//${u.hostname}:${port}${u.pathname}${u.search}`];
}

function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  signature: string | null,
): void {
  if (!signature?.trim())
    throw new UnauthorizedError(
      "Unsigned request: the X-Twilio-Signature header is missing (Twilio signs every callback)",
    );
  const given = Buffer.from(signature.trim());
  const ok = urlForms(url).some((u) => {
    const expected = Buffer.from(twilioSignature(authToken, u, params.entries()));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!ok)
    throw new UnauthorizedError(
      `X-Twilio-Signature: does not match the signature of this request for ${url} made with TWILIO_AUTH_TOKEN; check APP_URL and TWILIO_AUTH_TOKEN`,
    );
}

/** Statuses that settle a message; the rest (queued, sending, sent, ...) are only progress. */
const FINAL_STATUSES = ["delivered", "undelivered", "failed"] as const;

const StatusCallback = z.object({
  MessageSid: z
    .string({ message: "is required: the sid Twilio returned for the message" })
    .regex(
      /^(SM|MM)[0-9a-fA-F]{32}$/,
      "must be a Twilio message sid (SM or MM + 32 hex characters)",
    ),
  MessageStatus: z.string({ message: "is required: the message's status" }).min(1, {
    message: "is required: the message's status",
  }),
  AccountSid: z.string({ message: "is required: the account that sent the message" }),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/, "must be a Twilio error code (digits)")
    .optional()
    .or(z.literal("")),
});

/**
 * Common carrier error codes, so the log says more than a number. Codes whose cause is the number
 * itself (unknown, a landline, the recipient replied STOP) also mark the address as undeliverable.
 */
const ERROR_CODES: Record<string, { name: string; permanent?: boolean }> = {
  "21610": { name: "the recipient opted out by replying STOP", permanent: true },
  "30001": { name: "queue overflow" },
  "30002": { name: "account suspended" },
  "30003": { name: "unreachable destination handset" },
  "30004": { name: "message blocked" },
  "30005": { name: "unknown destination handset", permanent: true },
  "30006": { name: "landline or unreachable carrier", permanent: true },
  "30007": { name: "message filtered by the carrier" },
  "30008": { name: "unknown error" },
};

/** Sends one SMS through Twilio's Messages API; the key makes a retried request a no-op. */
export async function sendWithTwilio(
  t: NonNullable<ChannelSettings["twilio"]>,
  sms: { to: string; body: string; appUrl: string },
  idempotencyKey: string,
): Promise<{ providerId: string | null; responseCode: number }> {
  const form = new URLSearchParams({ To: sms.to, Body: sms.body });
  // Twilio reports delivered / undelivered / failed there (app/api/providers/twilio/status).
  const callback = statusCallbackFor(sms.appUrl);
  if (callback) form.set("StatusCallback", callback);
  form.set(t.from.startsWith("MG") ? "MessagingServiceSid" : "From", t.from);
  const res = await callProvider(
    "Twilio",
    `${t.baseUrl.replace(/\/$/, "")}/2010-04-01/Accounts/${t.accountSid}/Messages.json`,
    {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${t.accountSid}:${t.authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        // Twilio de-duplicates retried requests carrying the same key.
        "I-Twilio-Idempotency-Token": idempotencyKey,
      },
      body: form.toString(),
    },
  );
  const { text, json } = await readJson(res);
  if (!res.ok)
    throw httpFailure(
      "Twilio",
      res.status,
      json?.message ? String(json.message) : text,
      res.headers.get("retry-after"),
    );
  return { providerId: json?.sid ? String(json.sid) : null, responseCode: res.status };
}

/**
 * A Twilio message status callback (form-encoded), verified (X-Twilio-Signature against the
 * configured callback URL) and read: the report of delivered / undelivered / failed (with the
 * ErrorCode), or "ignored" for intermediate statuses.
 */
export function readTwilioStatus(
  twilio: { accountSid: string; authToken: string },
  appUrl: string,
  request: { body: string; contentType: string | null; signature: string | null },
): ProviderReport | { outcome: "ignored"; status: string } {
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.contentType ?? ""))
    throw new ValidationError([
      {
        field: "content-type",
        message: "must be application/x-www-form-urlencoded, as Twilio sends status callbacks",
      },
    ]);
  const params = new URLSearchParams(request.body);
  verifyTwilioSignature(
    twilio.authToken,
    twilioStatusCallbackUrl(appUrl),
    params,
    request.signature,
  );
  const p = parseInput(StatusCallback, Object.fromEntries(params));
  if (p.AccountSid !== twilio.accountSid)
    throw new ValidationError([
      { field: "AccountSid", message: "is not the account in TWILIO_ACCOUNT_SID" },
    ]);
  const status = p.MessageStatus.toLowerCase();
  if (!(FINAL_STATUSES as readonly string[]).includes(status))
    return { outcome: "ignored", status };
  const code = p.ErrorCode || null;
  const known = code ? ERROR_CODES[code] : undefined;
  const report: ProviderReport = {
    provider: "twilio",
    channel: "sms",
    // Twilio reports each status of a message once; the same pair again is a retry.
    eventKey: `${p.MessageSid}:${status}`,
    providerId: p.MessageSid,
    type: status,
    occurredAt: null,
    ...(status === "delivered"
      ? { kind: "delivered", permanent: false, detail: "delivered to the handset" }
      : {
          kind: "failed",
          permanent: Boolean(known?.permanent),
          detail: `SMS ${status}${code ? ` (error ${code}${known ? `: ${known.name}` : ""})` : ""}`,
        }),
  };
  return report;
}
