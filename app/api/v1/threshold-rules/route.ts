import { apiRoute, readJson } from "@/app/_server/api";
import { createRule, listRules } from "@/lib/metrics/rules";

/** GET: the organization's threshold rules. */
export const GET = apiRoute(async ({ ctx }) => ({ rules: await listRules({ ctx }) }));

/** POST: a new rule (the same fields and validation as the portal's editor). */
export const POST = apiRoute(async ({ ctx, req }) => {
  const rule = await createRule({ ctx, input: await readJson(req) });
  return Response.json(rule, { status: 201 });
});
