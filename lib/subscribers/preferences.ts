import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { publicSubscribers, type SubscriberKind } from "@/db/schema";
import { withTransaction } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { checkCatalogIds } from "@/lib/catalog/check";
import { SubscriptionPreferencesInput } from "./schemas";
import { verifyUnsubscribeToken } from "./tokens";

/**
 * A public subscriber's own choices, behind the signed link in every email (the same token as
 * its unsubscribe link, which already lets it do more: remove the subscription). The token names
 * exactly one subscriber; nothing in the request can name another.
 */
export interface SubscriptionPreferences {
  kind: SubscriberKind;
  /** The email address, or "webhook at <host>". */
  destination: string;
  confirmed: boolean;
  /** Empty: every component (region). */
  componentIds: string[];
  regionIds: string[];
  maintenanceOnly: boolean;
  /** Whether published postmortems are sent (when the publisher asks for it). */
  postmortemNotices: boolean;
}

function subscriberIdOf(token: unknown): string {
  const id = typeof token === "string" ? verifyUnsubscribeToken(token) : null;
  // A forged, truncated or foreign token is the same answer as a subscription that is gone.
  if (!id) throw new NotFoundError("Subscription");
  return id;
}

function toView(row: typeof publicSubscribers.$inferSelect): SubscriptionPreferences {
  return {
    kind: row.kind,
    destination: row.email ?? `webhook at ${row.urlHint}`,
    confirmed: row.confirmedAt !== null,
    componentIds: row.componentIds,
    regionIds: row.regionIds,
    maintenanceOnly: row.maintenanceOnly,
    postmortemNotices: row.postmortemNotices,
  };
}

/** The subscription the token names; NotFoundError when the token is bad or it was removed. */
export async function getSubscriptionPreferences(
  db: Db,
  token: string,
): Promise<SubscriptionPreferences> {
  const id = subscriberIdOf(token);
  const [row] = await db.select().from(publicSubscribers).where(eq(publicSubscribers.id, id));
  if (!row) throw new NotFoundError("Subscription");
  return toView(row);
}

/**
 * Changes which components and regions a subscriber hears about, and whether incidents too or
 * maintenance only. Ids not on the status page are refused, naming the field.
 *
 * verb-no-permission: there is no session; the signed token in the subscriber's own emails is the
 * credential, and it names the one subscriber changed.
 * verb-no-audit: a visitor's choice about its own mail, like subscribing and unsubscribing (which
 * are not audited either); it changes no organization's settings.
 */
export async function updateSubscriptionPreferences({
  db,
  input,
}: {
  db: Db;
  input: unknown;
}): Promise<SubscriptionPreferences> {
  const raw = typeof input === "object" && input !== null ? (input as { token?: unknown }) : {};
  const id = subscriberIdOf(raw.token);
  const data = parseInput(SubscriptionPreferencesInput, input);
  return withTransaction({ db }, async (tx) => {
    const issues = await checkCatalogIds(
      tx,
      { componentIds: data.componentIds, regionIds: data.regionIds },
      "filters",
    );
    // The fields are named as this input names them: componentIds.0, not filters.componentIds.0.
    if (issues.length)
      throw new ValidationError(
        issues.map((i) => ({ ...i, field: i.field.replace(/^filters\./, "") })),
      );
    const [row] = await tx
      .update(publicSubscribers)
      .set({
        componentIds: [...new Set(data.componentIds)],
        regionIds: [...new Set(data.regionIds)],
        maintenanceOnly: data.maintenanceOnly,
        ...(data.postmortemNotices === undefined
          ? {}
          : { postmortemNotices: data.postmortemNotices }),
      })
      .where(eq(publicSubscribers.id, id))
      .returning();
    if (!row) throw new NotFoundError("Subscription");
    return toView(row);
  });
}
