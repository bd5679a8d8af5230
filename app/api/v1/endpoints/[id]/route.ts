import { apiRoute, readJson } from "@/app/_server/api";
import { deleteEndpoint, updateEndpoint } from "@/lib/alerts/endpoints";
import { ValidationError } from "@/lib/errors";

type P = { id: string };

/** Changes any of name, url, roleGroup, filters; the type and signing secret stay. */
export const PATCH = apiRoute<P>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  return updateEndpoint({ ctx, input: { ...body, id: params.id } });
});

export const DELETE = apiRoute<P>(async ({ ctx, params }) => {
  await deleteEndpoint({ ctx, input: { id: params.id } });
  return new Response(null, { status: 204 });
});
