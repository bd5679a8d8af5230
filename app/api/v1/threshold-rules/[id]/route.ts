import { apiRoute, readJson } from "@/app/_server/api";
import { deleteRule, getRule, updateRule } from "@/lib/metrics/rules";

export const GET = apiRoute<{ id: string }>(async ({ ctx, params }) =>
  getRule({ ctx, input: { ruleId: params.id } }),
);

/** PUT: replaces the rule's settings (fields left out take their defaults). */
export const PUT = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  return updateRule({
    ctx,
    input: { ...(body && typeof body === "object" ? body : {}), ruleId: params.id },
  });
});

export const DELETE = apiRoute<{ id: string }>(async ({ ctx, params }) => {
  await deleteRule({ ctx, input: { ruleId: params.id } });
  return new Response(null, { status: 204 });
});
