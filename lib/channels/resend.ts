import { Resend } from "resend";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { z } from "zod";
import type { ProviderReport } from "./types";
import { parseInput, UnauthorizedError, ValidationError } from "@/lib/errors";
import { DeliveryError, isRetryableStatus } from "./errors";
import type { ChannelSettings } from "./settings";

/**
 * Resend, the email provider: sending (one message or a batch) and reading the webhooks it posts
 * about what became of them (POST /api/providers/resend; applied by lib/providers/callbacks.ts).
 */

const clients = new Map<string, Resend>();
function client(s: ChannelSettings["email"]): Resend {
  const key = `${s.apiKey}|${s.baseUrl ?? ""}`;
  let c = clients.get(key);
  if (!c) {
    c = new Resend(s.apiKey, s.baseUrl ? { baseUrl: s.baseUrl } : undefined);
    clients.set(key, c);
  }
  return c;
}

export interface ResendEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

function failure(
  prefix: string,
  error: { message?: string; statusCode?: number | null } | null,
  fallback: string,
) {
  const status = error?.statusCode ?? undefined;
  return new DeliveryError(`${prefix}: ${error?.message ?? fallback}`, {
    responseCode: status,
    permanent: status !== undefined && !isRetryableStatus(status),
  });
}

/** Sends one email; the same key on every attempt, so Resend sends it at most once. */
export async function sendWithResend(
  settings: ChannelSettings["email"],
  email: ResendEmail,
  idempotencyKey: string,
): Promise<{ providerId: string; responseCode: number }> {
  const { data, error } = await client(settings).emails.send(email, { idempotencyKey });
  if (error || !data) throw failure("Resend", error, "no id returned");
  return { providerId: data.id, responseCode: 200 };
}

/** Sends several emails in one request; results in the same order. */
export async function sendBatchWithResend(
  settings: ChannelSettings["email"],
  emails: ResendEmail[],
  idempotencyKey: string,
): Promise<{ providerId: string; responseCode: number }[]> {
  const { data, error } = await client(settings).batch.send(emails, { idempotencyKey });
  if (error || !data || data.data.length !== emails.length)
    throw failure("Resend batch", error, "unexpected response");
  return data.data.map((d) => ({ providerId: d.id, responseCode: 200 }));
}

/**
 * Resend signs webhooks with Svix, which is the Standard Webhooks scheme under other header
 * names: svix-id, svix-timestamp and svix-signature carry what webhook-id, webhook-timestamp and
 * webhook-signature would. The library also refuses timestamps more than 5 minutes off, so a
 * captured request cannot be replayed later.
 */
function verifyResendSignature(secret: string, body: string, headers: Headers): { id: string } {
  const get = (name: string) => headers.get(name)?.trim() || null;
  const id = get("svix-id");
  const timestamp = get("svix-timestamp");
  const signature = get("svix-signature");
  const missing = [
    !id && "svix-id",
    !timestamp && "svix-timestamp",
    !signature && "svix-signature",
  ].filter(Boolean);
  if (missing.length)
    throw new UnauthorizedError(
      `Unsigned request: the ${missing.join(", ")} header${missing.length > 1 ? "s are" : " is"} missing (Resend signs every webhook with svix-id, svix-timestamp and svix-signature)`,
    );
  if (!/^\d{1,12}$/.test(timestamp!))
    throw new UnauthorizedError("svix-timestamp: must be Unix seconds");
  try {
    new Webhook(secret).verify(
      body,
      { "webhook-id": id!, "webhook-timestamp": timestamp!, "webhook-signature": signature! },
      // Parsed (and its errors reported) by the caller, which names the field at fault.
      { jsonParse: false },
    );
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) throw e;
    if (/too old/i.test(e.message))
      throw new UnauthorizedError(
        "svix-timestamp: more than 5 minutes old; a replayed request, or this server's clock is wrong",
      );
    if (/too new/i.test(e.message))
      throw new UnauthorizedError(
        "svix-timestamp: more than 5 minutes in the future; this server's clock is wrong",
      );
    throw new UnauthorizedError(
      "svix-signature: does not match the body; check that RESEND_WEBHOOK_SECRET is this webhook's signing secret",
    );
  }
  return { id: id! };
}

const emailId = z.string({ message: "must be the id Resend returned for the email" }).min(1, {
  message: "must be the id Resend returned for the email",
});
const createdAt = z.string().optional();
const base = { email_id: emailId, created_at: createdAt };

/** The email events Beacon acts on; Resend's documented payloads (webhooks, event types). */
const ResendEvent = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("email.delivered"), created_at: createdAt, data: z.object(base) }),
    z.object({
      type: z.literal("email.delivery_delayed"),
      created_at: createdAt,
      data: z.object(base),
    }),
    z.object({ type: z.literal("email.complained"), created_at: createdAt, data: z.object(base) }),
    z.object({
      type: z.literal("email.bounced"),
      created_at: createdAt,
      data: z.object({
        ...base,
        bounce: z.object(
          {
            type: z.string({ message: "must be Permanent, Transient or Undetermined" }),
            subType: z.string().optional(),
            message: z.string().optional(),
          },
          { message: "must describe the bounce (type, subType, message)" },
        ),
      }),
    }),
    z.object({
      type: z.literal("email.failed"),
      created_at: createdAt,
      data: z.object({ ...base, failed: z.object({ reason: z.string() }).optional() }),
    }),
    z.object({
      type: z.literal("email.suppressed"),
      created_at: createdAt,
      data: z.object({
        ...base,
        suppressed: z
          .object({ type: z.string().optional(), message: z.string().optional() })
          .optional(),
      }),
    }),
  ],
  { message: "is not an event Beacon handles" },
);
type ResendEvent = z.infer<typeof ResendEvent>;

const HANDLED = new Set(ResendEvent.options.map((o) => o.shape.type.value));

function when(...candidates: (string | undefined)[]): Date | null {
  for (const c of candidates) {
    const t = c ? Date.parse(c) : NaN;
    if (!Number.isNaN(t)) return new Date(t);
  }
  return null;
}

function sentence(s: string | undefined): string {
  return (s ?? "").replace(/\s+/g, " ").trim().slice(0, 500);
}

function toReport(e: ResendEvent, svixId: string): ProviderReport {
  const common = {
    provider: "resend" as const,
    channel: "email" as const,
    eventKey: svixId,
    providerId: e.data.email_id,
    type: e.type,
    occurredAt: when(e.created_at, e.data.created_at),
  };
  switch (e.type) {
    case "email.delivered":
      return {
        ...common,
        kind: "delivered",
        permanent: false,
        detail: "delivered to the recipient's mail server",
      };
    case "email.delivery_delayed":
      return {
        ...common,
        kind: "delayed",
        permanent: false,
        detail:
          "delivery delayed by a temporary problem at the recipient's mail server; Resend keeps trying",
      };
    case "email.complained":
      return {
        ...common,
        kind: "complained",
        permanent: true,
        detail: "the recipient marked the email as spam",
      };
    case "email.bounced": {
      const b = e.data.bounce;
      const kind = [b.type, b.subType].filter(Boolean).join(", ");
      const message = sentence(b.message);
      return {
        ...common,
        kind: "failed",
        // A hard bounce: the address does not exist or refuses mail for good.
        permanent: b.type.toLowerCase() === "permanent",
        detail: `Bounced (${kind})${message ? `: ${message}` : ""}`,
      };
    }
    case "email.failed":
      return {
        ...common,
        kind: "failed",
        // Resend could not send it (e.g. the sending domain); not the recipient's fault.
        permanent: false,
        detail: `Resend could not send the email${e.data.failed?.reason ? `: ${sentence(e.data.failed.reason)}` : ""}`,
      };
    case "email.suppressed": {
      const s = e.data.suppressed;
      return {
        ...common,
        kind: "failed",
        // Resend refuses the address because it bounced or complained before.
        permanent: true,
        detail: `Not sent: the address is on Resend's suppression list${s?.type ? ` (${s.type})` : ""}${s?.message ? `: ${sentence(s.message)}` : ""}`,
      };
    }
  }
}

/**
 * A Resend webhook, verified (the Svix signature over the raw body) and read: the report of an
 * email event that says what became of a message, or "ignored" for the events Beacon does not act
 * on (sent, opened, clicked, contacts, domains).
 */
export function readResendWebhook(
  secret: string,
  request: { body: string; headers: Headers },
): ProviderReport | { outcome: "ignored"; type: string } {
  const { id } = verifyResendSignature(secret, request.body, request.headers);
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    throw new ValidationError([{ field: "(body)", message: "must be valid JSON" }]);
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type !== "string")
    throw new ValidationError([
      { field: "type", message: "must be the event type, e.g. email.bounced" },
    ]);
  if (!HANDLED.has(type as ResendEvent["type"])) return { outcome: "ignored", type };
  return toReport(parseInput(ResendEvent, json), id);
}
