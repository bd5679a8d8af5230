import { Inngest } from "inngest";
import { env } from "@/lib/env";

/**
 * Inngest Cloud (INNGEST_EVENT_KEY + INNGEST_SIGNING_KEY), the dev server (INNGEST_DEV=1) or a
 * self-hosted `inngest start` (INNGEST_BASE_URL). The signing key is read by `serve`.
 */
export const inngest = new Inngest({
  id: "beacon",
  eventKey: env.INNGEST_EVENT_KEY,
  baseUrl: env.INNGEST_BASE_URL,
  isDev: env.INNGEST_DEV ? ["1", "true"].includes(env.INNGEST_DEV) : undefined,
});
