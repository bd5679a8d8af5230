import { apiRoute, readJson } from "@/app/_server/api";
import { recordSamples } from "@/lib/metrics/record-samples";

/** POST { samples: [{ metric, value, at? }] }: records samples and evaluates threshold rules. */
export const POST = apiRoute(async ({ ctx, req }) => {
  const result = await recordSamples({ ctx, input: await readJson(req) });
  return Response.json(result, { status: 202 });
});
