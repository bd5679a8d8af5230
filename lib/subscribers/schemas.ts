import { z } from "zod";

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
      url: z
        .string()
        .trim()
        .pipe(z.url({ error: "Enter a full URL starting with https://" }).max(2000)),
      componentIds: ids,
      regionIds: ids,
    }),
  ],
  { error: "Choose email or webhook" },
);
export type SubscribeInput = z.infer<typeof SubscribeInput>;
