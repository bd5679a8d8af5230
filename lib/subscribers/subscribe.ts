import { and, eq, gt, isNotNull, ne } from "drizzle-orm";
import { withTransaction } from "@/lib/context";
import type { Db } from "@/db";
import { publicSubscribers } from "@/db/schema";
import { checkCatalogIds } from "@/lib/catalog/check";
import { generateWebhookSecret } from "@/lib/crypto/webhook-secrets";
import { hit } from "@/lib/auth/rate-limit";
import { checkPublicDestinationUrl } from "@/lib/channels/net";
import { storeInDevMailbox } from "@/lib/channels/dev-mailbox";
import type { ChannelSettings } from "@/lib/channels/settings";
import { encryptSecret } from "@/lib/crypto/secrets";
import { sendEmail } from "@/lib/email/send";
import {
  NotFoundError,
  parseInput,
  RateLimitedError,
  ServiceError,
  ValidationError,
} from "@/lib/errors";
import { platformOrgId } from "./access";
import { SubscribeInput } from "./schemas";
import {
  hashToken,
  newConfirmToken,
  newManageToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from "./tokens";

/** Subscribing is open to anyone, so it is limited per client address and per email address. */
export const SUBSCRIBE_LIMIT = { max: 5, windowMs: 60 * 60 * 1000 };

/** How long an emailed confirmation link stays valid. */
export const CONFIRM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export class EmailUnavailableError extends ServiceError {
  override readonly status = 503;
  override readonly code = "email_unavailable";
  constructor() {
    super("Email subscriptions are not available: this Beacon has no email provider configured");
  }
}

export interface SubscribeDeps {
  settings: Pick<ChannelSettings, "appUrl" | "allowPrivate" | "devMailbox" | "email">;
  /** True when a real provider (Resend) is configured; else the dev mailbox is used if enabled. */
  emailConfigured: boolean;
  now?: Date;
}

export type SubscribeResult =
  | { kind: "email"; email: string }
  | {
      kind: "webhook";
      id: string;
      secret: string;
      /** Rotates the secret (POST /api/subscribers/rotate-secret); shown once, like the secret. */
      manageToken: string;
      urlHost: string;
      unsubscribeUrl: string;
    };

async function limit(db: Db, key: string, now: Date) {
  const count = await hit(db, { key, ...SUBSCRIBE_LIMIT }, now);
  if (count > SUBSCRIBE_LIMIT.max)
    throw new RateLimitedError(
      "Too many subscription requests. Try again in an hour.",
      Math.ceil(SUBSCRIBE_LIMIT.windowMs / 1000),
    );
}

async function sendConfirmation(
  db: Db,
  deps: SubscribeDeps,
  to: string,
  subscriberId: string,
  token: string,
) {
  const link = `${deps.settings.appUrl}/subscribe/confirm/${token}`;
  const msg = {
    to,
    subject: "Confirm your status updates subscription",
    text: `Someone (hopefully you) asked to receive status updates at ${to}.\n\nConfirm the subscription: ${link}\n\nThe link expires in 7 days. If this was not you, ignore this email and nothing will be sent.\n\nUnsubscribe at any time: ${unsubscribeUrl(deps.settings.appUrl, subscriberId)}`,
    idempotencyKey: `subscriber-confirm:${subscriberId}`,
  };
  if (deps.emailConfigured) {
    await sendEmail(msg);
    return;
  }
  if (!deps.settings.devMailbox) throw new EmailUnavailableError();
  // No provider: the message goes to the platform organization's dev mailbox, clearly not sent.
  await storeInDevMailbox(db, {
    ...msg,
    orgId: await platformOrgId(db),
    channel: "email",
    from: deps.settings.email.from,
  });
}

/**
 * Subscribes a visitor. Email: stores an unconfirmed subscriber and emails a confirmation link
 * (nothing is sent to it until confirmed). Webhook: checks the URL, stores it encrypted with a new
 * signing secret, confirmed at once; the secret and the management token that rotates it are
 * returned here only.
 */
export async function subscribe(
  db: Db,
  { input, clientAddress }: { input: unknown; clientAddress: string },
  deps: SubscribeDeps,
): Promise<SubscribeResult> {
  const now = deps.now ?? new Date();
  const data = parseInput(SubscribeInput, input);
  const issues = await checkCatalogIds(
    db,
    { componentIds: data.componentIds, regionIds: data.regionIds },
    "filters",
  );
  if (issues.length) throw new ValidationError(issues);
  await limit(db, `subscribe:ip:${clientAddress}`, now);

  if (data.kind === "webhook") {
    const url = new URL(data.url);
    const problem = await checkPublicDestinationUrl(url, deps.settings, "webhook");
    if (problem) throw new ValidationError([{ field: "url", message: problem }]);
    const secret = generateWebhookSecret();
    const manage = newManageToken();
    const [row] = await db
      .insert(publicSubscribers)
      .values({
        kind: "webhook",
        urlEncrypted: encryptSecret(url.toString()),
        urlHint: url.host,
        secretEncrypted: encryptSecret(secret),
        manageTokenHash: manage.hash,
        componentIds: data.componentIds,
        regionIds: data.regionIds,
        confirmedAt: now,
      })
      .returning({ id: publicSubscribers.id });
    return {
      kind: "webhook",
      id: row!.id,
      secret,
      manageToken: manage.token,
      urlHost: url.host,
      unsubscribeUrl: unsubscribeUrl(deps.settings.appUrl, row!.id),
    };
  }

  await limit(db, `subscribe:email:${data.email}`, now);
  const { token, hash } = newConfirmToken();
  const [row] = await db
    .insert(publicSubscribers)
    .values({
      kind: "email",
      email: data.email,
      componentIds: data.componentIds,
      regionIds: data.regionIds,
      confirmTokenHash: hash,
    })
    .returning({ id: publicSubscribers.id });
  try {
    await sendConfirmation(db, deps, data.email, row!.id, token);
  } catch (e) {
    // Nothing half-done: without the email the row could never be confirmed.
    await db.delete(publicSubscribers).where(eq(publicSubscribers.id, row!.id));
    throw e;
  }
  return { kind: "email", email: data.email };
}

/**
 * Confirms an email subscription. Confirming proves the address, so it replaces any earlier
 * subscription of the same address (the newest filters win, and the address is told once).
 */
export async function confirmSubscription(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ email: string }> {
  if (!token) throw new NotFoundError("Subscription");
  return withTransaction({ db }, async (tx) => {
    const [row] = await tx
      .update(publicSubscribers)
      .set({ confirmedAt: now, confirmTokenHash: null })
      .where(
        and(
          eq(publicSubscribers.confirmTokenHash, hashToken(token)),
          eq(publicSubscribers.kind, "email"),
          gt(publicSubscribers.createdAt, new Date(now.getTime() - CONFIRM_TTL_MS)),
        ),
      )
      .returning();
    if (!row?.email) throw new NotFoundError("Subscription");
    await tx
      .delete(publicSubscribers)
      .where(
        and(
          eq(publicSubscribers.email, row.email),
          ne(publicSubscribers.id, row.id),
          isNotNull(publicSubscribers.confirmedAt),
        ),
      );
    return { email: row.email };
  });
}

/** A subscriber's webhook answered 410 Gone: it asked to stop, so the subscription is removed. */
export async function removeGoneSubscriber(db: Db, subscriberId: string): Promise<void> {
  await db
    .delete(publicSubscribers)
    .where(and(eq(publicSubscribers.id, subscriberId), eq(publicSubscribers.kind, "webhook")));
}

/** Removes a subscriber named by a signed unsubscribe link (RFC 8058 one-click or the form). */
export async function unsubscribe(db: Db, token: string): Promise<{ destination: string }> {
  const id = verifyUnsubscribeToken(token);
  if (!id) throw new NotFoundError("Subscription");
  const [row] = await db.delete(publicSubscribers).where(eq(publicSubscribers.id, id)).returning();
  if (!row) throw new NotFoundError("Subscription");
  return { destination: row.email ?? `webhook at ${row.urlHint}` };
}
