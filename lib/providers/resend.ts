import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { z } from "zod";
import type { Db } from "@/db";
import { parseInput, UnauthorizedError, ValidationError } from "@/lib/errors";
import {
  applyProviderReport,
  ProviderNotConfiguredError,
  type ProviderReport,
  type ReportOutcome,
} from "./report";

/** The route Resend posts to; configure it as the webhook endpoint in Resend. */
export const RESEND_WEBHOOK_PATH = "/api/providers/resend";

/**
 * Resend signs webhooks with Svix, which is the Standard Webhooks scheme under other header
 * names: svix-id, svix-timestamp and svix-signature carry what webhook-id, webhook-timestamp and
 * webhook-signature would. The library also refuses timestamps more than 5 minutes off, so a
 * captured request cannot be replayed later.
 */
export function verifyResendSignature(
  secret: string,
  body: string,
  headers: Headers,
): { id: string } {
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

export type ResendWebhookResult = ReportOutcome | { outcome: "ignored"; type: string };

/**
 * A Resend webhook: verifies the signature over the raw body, then applies the email events that
 * say what became of a message (delivered, bounced, complained, delayed, failed, suppressed) to
 * the delivery with that email id. Other events (sent, opened, clicked, contacts, domains) are
 * acknowledged and ignored.
 */
export async function handleResendWebhook(
  db: Db,
  request: { body: string; headers: Headers },
  deps: { secret: string | undefined; now?: Date },
): Promise<ResendWebhookResult> {
  if (!deps.secret)
    throw new ProviderNotConfiguredError(
      "Resend webhooks are not configured: set RESEND_WEBHOOK_SECRET to the webhook's signing secret",
    );
  const { id } = verifyResendSignature(deps.secret, request.body, request.headers);
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
  const event = parseInput(ResendEvent, json);
  return applyProviderReport(db, toReport(event, id), deps.now);
}
