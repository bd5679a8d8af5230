import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import { env } from "@/lib/env";
import { functions, inngest } from "@/server/inngest";

const handlers = serve({ client: inngest, functions });

/**
 * Without Inngest configured (INNGEST_EVENT_KEY, INNGEST_DEV or INNGEST_BASE_URL), the embedded
 * job driver runs the jobs and nothing here is in use: say so, instead of the SDK's 500 about a
 * missing signing key.
 */
function embeddedDriverInUse(): Response {
  return Response.json(
    {
      error: {
        code: "not_found",
        message:
          "Inngest is not configured: the embedded job driver runs Beacon's jobs, so this endpoint is not in use. Set INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY (or INNGEST_DEV=1, or INNGEST_BASE_URL) to use Inngest.",
      },
      jobDriver: "embedded",
    },
    { status: 404 },
  );
}

type Handler = (req: NextRequest, ctx: unknown) => Promise<Response>;
const unlessEmbedded =
  (handler: Handler): Handler =>
  async (req, ctx) =>
    env.inngestConfigured ? handler(req, ctx) : embeddedDriverInUse();

export const GET = unlessEmbedded(handlers.GET);
export const POST = unlessEmbedded(handlers.POST);
export const PUT = unlessEmbedded(handlers.PUT);
