import { and, eq, gt, isNotNull, ne, or, sql } from "drizzle-orm";
import { withTransaction } from "@/lib/context";
import type { Db, Tx } from "@/db";
import { publicSubscribers } from "@/db/schema";
import { checkCatalogIds } from "@/lib/catalog/check";
import { generateWebhookSecret } from "@/lib/crypto/webhook-secrets";
import { hit } from "@/lib/auth/rate-limit";
import { checkPublicDestinationUrl } from "@/lib/channels/net";
import { storeInDevMailbox } from "@/lib/channels/dev-mailbox";
import type { ChannelSettings } from "@/lib/channels/settings";
import { encryptSecret } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";
import { sendEmail } from "@/lib/email/send";
import {
  NotFoundError,
  parseInput,
  RateLimitedError,
  ServiceError,
  ValidationError,
} from "@/lib/errors";
import { platformOrgId } from "./access";
import { challengeWebhook } from "./challenge";
import { SubscribeInput } from "./schemas";
import {
  hashToken,
  newConfirmToken,
  newManageToken,
  preferencesUrl,
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

/** How many webhook subscribers the status page takes: in all, and per URL host name. */
export interface WebhookLimits {
  max: number;
  perHost: number;
}

export function webhookLimitsFromEnv(): WebhookLimits {
  return {
    max: env.PUBLIC_WEBHOOK_SUBSCRIBERS_MAX,
    perHost: env.PUBLIC_WEBHOOK_SUBSCRIBERS_PER_HOST,
  };
}

export interface SubscribeDeps {
  settings: Pick<ChannelSettings, "appUrl" | "allowPrivate" | "devMailbox" | "email" | "resolver">;
  /** True when a real provider (Resend) is configured; else the dev mailbox is used if enabled. */
  emailConfigured: boolean;
  /** Default: PUBLIC_WEBHOOK_SUBSCRIBERS_MAX and PUBLIC_WEBHOOK_SUBSCRIBERS_PER_HOST. */
  webhookLimits?: WebhookLimits;
  /** How long a webhook URL has to answer the verification challenge (tests shorten it). */
  challengeTimeoutMs?: number;
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
      /** Whether the URL answered the verification challenge; nothing is sent to it until it has. */
      verified: boolean;
      /** Why it did not (timed out, wrong answer, HTTP status, destination not allowed). */
      verifyError?: string;
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
    text: `Someone (hopefully you) asked to receive status updates at ${to}.\n\nConfirm the subscription: ${link}\n\nThe link expires in 7 days. If this was not you, ignore this email and nothing will be sent.\n\nChange what you receive at any time: ${preferencesUrl(deps.settings.appUrl, subscriberId)}\nUnsubscribe at any time: ${unsubscribeUrl(deps.settings.appUrl, subscriberId)}`,
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
 * (nothing is sent to it until confirmed). Webhook: checks the URL and the caps, stores it
 * encrypted with a new signing secret, unconfirmed, then challenges the URL (challenge.ts) and
 * confirms it only if it answers; the secret and the management token that rotates it (and
 * retries the challenge, verifyOwnWebhook) are returned here only, whether or not it answered.
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

  if (data.kind === "webhook") return subscribeWebhook(db, data, deps, now);

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

/** Serialises the cap check and insert of webhook subscribers, so concurrent ones cannot overshoot. */
const WEBHOOK_CAP_LOCK_KEY = 0x7375_6273; // "subs"

/** Webhook subscribers that count towards the caps: confirmed, or still within their time to verify. */
function liveWebhooks(now: Date) {
  return and(
    eq(publicSubscribers.kind, "webhook"),
    or(
      isNotNull(publicSubscribers.confirmedAt),
      gt(publicSubscribers.createdAt, new Date(now.getTime() - CONFIRM_TTL_MS)),
    ),
  );
}

/** Why the caps refuse another webhook subscriber on this URL's host, or null. */
async function capRefusal(
  tx: Tx,
  url: URL,
  limits: WebhookLimits,
  now: Date,
): Promise<string | null> {
  if (limits.max <= 0)
    return "this status page does not take webhook subscribers; subscribe by email or feed instead";
  // The host name alone: the same host on other ports counts together.
  const host = url.hostname;
  const [counts] = await tx
    .select({
      total: sql<number>`count(*)`.mapWith(Number),
      onHost:
        sql<number>`count(*) filter (where regexp_replace(${publicSubscribers.urlHint}, ':[0-9]+$', '') = ${host})`.mapWith(
          Number,
        ),
    })
    .from(publicSubscribers)
    .where(liveWebhooks(now));
  if ((counts?.onHost ?? 0) >= limits.perHost)
    return `${host} already has ${limits.perHost} webhook subscribers, the most one host may have; remove one first (with its unsubscribe link)`;
  if ((counts?.total ?? 0) >= limits.max)
    return `this status page has reached its limit of ${limits.max} webhook subscribers; subscribe by email or feed instead`;
  return null;
}

async function subscribeWebhook(
  db: Db,
  data: Extract<SubscribeInput, { kind: "webhook" }>,
  deps: SubscribeDeps,
  now: Date,
): Promise<SubscribeResult> {
  const url = new URL(data.url);
  const problem = await checkPublicDestinationUrl(url, deps.settings, "webhook");
  if (problem) throw new ValidationError([{ field: "url", message: problem }]);
  const limits = deps.webhookLimits ?? webhookLimitsFromEnv();
  const secret = generateWebhookSecret();
  const manage = newManageToken();
  // A short transaction for the caps and the row; the challenge below runs outside any.
  const row = await withTransaction({ db }, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${WEBHOOK_CAP_LOCK_KEY})`);
    const refused = await capRefusal(tx, url, limits, now);
    if (refused) throw new ValidationError([{ field: "url", message: refused }]);
    const [inserted] = await tx
      .insert(publicSubscribers)
      .values({
        kind: "webhook",
        urlEncrypted: encryptSecret(url.toString()),
        urlHint: url.host,
        secretEncrypted: encryptSecret(secret),
        manageTokenHash: manage.hash,
        componentIds: data.componentIds,
        regionIds: data.regionIds,
      })
      .returning({ id: publicSubscribers.id });
    return inserted!;
  });
  const outcome = await challengeWebhook(url.toString(), {
    secrets: [secret],
    subscriberId: row.id,
    settings: deps.settings,
    timeoutMs: deps.challengeTimeoutMs,
  });
  if (outcome.ok) await markVerified(db, row.id, now);
  return {
    kind: "webhook",
    id: row.id,
    secret,
    manageToken: manage.token,
    urlHost: url.host,
    unsubscribeUrl: unsubscribeUrl(deps.settings.appUrl, row.id),
    verified: outcome.ok,
    ...(outcome.ok ? {} : { verifyError: challengeFailure(outcome.reason) }),
  };
}

/** What a subscriber is told when its URL did not answer the challenge. */
export function challengeFailure(reason: string): string {
  return `did not answer the verification challenge: ${reason}`;
}

/** The URL answered the challenge: from now on it is planned like any confirmed subscriber. */
export async function markVerified(db: Db, subscriberId: string, now: Date): Promise<void> {
  await db
    .update(publicSubscribers)
    .set({ confirmedAt: now })
    .where(
      and(
        eq(publicSubscribers.id, subscriberId),
        eq(publicSubscribers.kind, "webhook"),
        sql`${publicSubscribers.confirmedAt} is null`,
      ),
    );
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
