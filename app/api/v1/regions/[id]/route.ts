import { apiRoute, readJson } from "@/app/_server/api";
import { removeRegion, updateRegion } from "@/lib/catalog/manage";
import { ValidationError } from "@/lib/errors";

type P = { id: string };

/** Changes any of code, name, position, componentIds. */
export const PATCH = apiRoute<P>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  return { region: await updateRegion({ ctx, input: { ...body, id: params.id } }) };
});

/** Archived when it has incident or maintenance history, else deleted: `{ archived, deleted }`. */
export const DELETE = apiRoute<P>(async ({ ctx, params }) =>
  removeRegion({ ctx, input: { id: params.id } }),
);
