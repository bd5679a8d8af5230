import { z } from "zod";
import { storable } from "@/lib/validation";
import { SUBSCRIBER_KINDS } from "@/db/schema";
import { MANAGE_TOKEN_PATTERN } from "./tokens";

const ids = z
  .array(z.uuid({ error: "is not a valid id" }))
  .max(100)
  .default([]);

/** What the public form sends. Exactly one of email or url, per kind. */
export const SubscribeInput = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("email"),
      email: z
        .string()
        .trim()
        .toLowerCase()
        .pipe(z.email({ error: "Enter a valid email address" }).max(254)),
      componentIds: ids,
      regionIds: ids,
    }),
    z.object({
      kind: z.literal("webhook"),
      url: storable(z.string().trim().max(2000, { error: "must be at most 2000 characters" })).pipe(
        z.url({ error: "Enter a full URL starting with https://" }).max(2000),
      ),
      componentIds: ids,
      regionIds: ids,
    }),
  ],
  { error: "Choose email or webhook" },
);
export type SubscribeInput = z.infer<typeof SubscribeInput>;

/** Where a subscriber stands: confirmed, awaiting confirmation, or its link expired unused. */
export const SUBSCRIBER_STATUSES = ["confirmed", "awaiting", "expired"] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** The staff list's filters (the portal's query string, or GET /api/v1/subscribers). */
export const ListSubscribersInput = z.object({
  status: z
    .enum(SUBSCRIBER_STATUSES, { error: `must be one of ${SUBSCRIBER_STATUSES.join(", ")}` })
    .optional(),
  channel: z
    .enum(SUBSCRIBER_KINDS, { error: `must be one of ${SUBSCRIBER_KINDS.join(", ")}` })
    .optional(),
  q: storable(z.string().trim().max(200, { error: "must be at most 200 characters" })).optional(),
  page: z.coerce
    .number({ error: "must be a page number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be 1 or more" })
    .max(100_000, { error: "is too large" })
    .default(1),
  limit: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be between 1 and 200" })
    .max(200, { error: "must be between 1 and 200" })
    .default(50),
});
export type ListSubscribersInput = z.infer<typeof ListSubscribersInput>;

export const SubscriberIdInput = z.object({
  id: z.uuid({ error: "must be a subscriber id" }),
});

/** A webhook subscriber's own management token (rotating its secret, retrying its verification). */
export const ManageTokenInput = z.object({
  token: z
    .string({ error: "is required: the management token (bsm_…) shown when you subscribed" })
    .trim()
    .regex(MANAGE_TOKEN_PATTERN, {
      error: "must be the management token (bsm_…) shown when you subscribed",
    }),
});

/** What a subscriber chooses on its preferences page (the link in every email). */
export const SubscriptionPreferencesInput = z
  .object({
    /** The signed link's token (lib/subscribers/tokens.ts): it names the subscriber. */
    token: z.string({ error: "is required" }).max(200),
    componentIds: ids,
    regionIds: ids,
    maintenanceOnly: z.boolean({ error: "must be true or false" }).default(false),
    /** Postmortem notices (on for every subscriber until it opts out); omitted: unchanged. */
    postmortemNotices: z.boolean({ error: "must be true or false" }).optional(),
  })
  .strict();
