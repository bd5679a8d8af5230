import { apiRoute, readJson } from "@/app/_server/api";
import { deleteGroup, updateGroup } from "@/lib/catalog/manage";
import { ValidationError } from "@/lib/errors";

type P = { id: string };

/** Changes the name or position. */
export const PATCH = apiRoute<P>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  return { group: await updateGroup({ ctx, input: { ...body, id: params.id } }) };
});

/** Deletes the group; its components stay, ungrouped. */
export const DELETE = apiRoute<P>(async ({ ctx, params }) =>
  deleteGroup({ ctx, input: { id: params.id } }),
);
