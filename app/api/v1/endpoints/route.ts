import { apiRoute, readJson } from "@/app/_server/api";
import { createEndpoint, listEndpoints } from "@/lib/alerts/endpoints";

export const GET = apiRoute(({ ctx }) => listEndpoints({ ctx }));
/** The webhook signing secret is in this response only. */
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(await createEndpoint({ ctx, input: await readJson(req) }), { status: 201 }),
);
