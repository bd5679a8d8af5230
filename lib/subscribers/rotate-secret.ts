import { eq } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { publicSubscribers, type PublicSubscriber } from "@/db/schema";
import { rotateWebhookSecret } from "@/lib/crypto/webhook-secrets";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { hit } from "@/lib/auth/rate-limit";
import { withTransaction, type Ctx } from "@/lib/context";
import {
  NotFoundError,
  parseInput,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from "@/lib/errors";
import { platformOrgId, requireSubscriberAdmin } from "./access";
import { ManageTokenInput, SubscriberIdInput } from "./schemas";
import { hashToken } from "./tokens";

export interface RotatedSecret {
  /** The new whsec_ secret, returned here once. */
  secret: string;
  /** Until then the previous secret signs alongside the new one. */
  previousValidUntil: string;
}

/** Self-service rotation is open to anyone holding a token, so it is limited per client address. */
export const ROTATE_LIMIT = { max: 10, windowMs: 60 * 60 * 1000 };

/**
 * Rotates as tenant endpoints do (lib/alerts/endpoints.ts rotateEndpointSecret): a new secret,
 * the current one kept as the previous secret for 24 hours, during which deliveries are
 * signed with both. Rotating again within the overlap ends the older secret at once.
 */
async function rotate(tx: Tx, s: PublicSubscriber, now: Date) {
  if (s.kind !== "webhook" || !s.secretEncrypted)
    throw new ValidationError([
      { field: "id", message: "only webhook subscribers have a signing secret" },
    ]);
  const { secret, previousValidUntil, columns } = rotateWebhookSecret(
    { secretEncrypted: s.secretEncrypted },
    now,
  );
  await tx.update(publicSubscribers).set(columns).where(eq(publicSubscribers.id, s.id));
  return { secret, previousValidUntil };
}

/** Platform staff rotate a webhook subscriber's secret (e.g. asked to after a leak). */
export async function rotateSubscriberSecret({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}): Promise<RotatedSecret> {
  requireSubscriberAdmin(ctx);
  const { id } = parseInput(SubscriberIdInput, input);
  return withTransaction(ctx, async (tx) => {
    const [s] = await tx
      .select()
      .from(publicSubscribers)
      .where(eq(publicSubscribers.id, id))
      .for("update");
    if (!s) throw new NotFoundError("Subscriber");
    const out = await rotate(tx, s, now);
    await recordAudit(tx, ctx, {
      action: "subscriber.rotate_secret",
      targetType: "public_subscriber",
      targetId: s.id,
      data: { address: s.urlHint, previousValidUntil: out.previousValidUntil },
    });
    return out;
  });
}

/**
 * A webhook subscriber rotates its own secret with the management token it was given at
 * subscribe time. There is no session: the token is the credential, and the audit row (in the
 * platform organization, where the subscriber's deliveries are) says so.
 */
export async function rotateOwnSecret(
  db: Db,
  { input, clientAddress }: { input: unknown; clientAddress: string },
  { now = new Date() }: { now?: Date } = {},
): Promise<RotatedSecret> {
  // Counted before the token is checked, so it also slows anyone trying tokens.
  const n = await hit(db, { key: `subscriber-rotate:ip:${clientAddress}`, ...ROTATE_LIMIT }, now);
  if (n > ROTATE_LIMIT.max)
    throw new RateLimitedError(
      "Too many secret rotations. Try again in an hour.",
      Math.ceil(ROTATE_LIMIT.windowMs / 1000),
    );
  const { token } = parseInput(ManageTokenInput, input);
  return withTransaction({ db }, async (tx) => {
    const [s] = await tx
      .select()
      .from(publicSubscribers)
      .where(eq(publicSubscribers.manageTokenHash, hashToken(token)))
      .for("update");
    if (!s)
      throw new UnauthorizedError(
        "This management token is not valid: it is mistyped, or the subscription was removed",
      );
    const out = await rotate(tx, s, now);
    const orgId = await platformOrgId(tx);
    if (!orgId) throw new Error("The platform organization is missing");
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: orgId } },
      {
        action: "subscriber.rotate_secret",
        targetType: "public_subscriber",
        targetId: s.id,
        data: {
          by: "subscriber (management token)",
          address: s.urlHint,
          previousValidUntil: out.previousValidUntil,
        },
      },
    );
    return out;
  });
}
