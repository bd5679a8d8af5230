import { apiRoute, readJson } from "@/app/_server/api";
import { getOrganization, updateOrganization } from "@/lib/organizations/organizations";

export const GET = apiRoute<{ id: string }>(({ ctx, params }) =>
  getOrganization({ ctx, input: { id: params.id } }),
);
/** `{ "name": "…" }` renames, `{ "suspended": true | false }` suspends or restores. */
export const PATCH = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  const fields = typeof body === "object" && body !== null ? body : {};
  return updateOrganization({ ctx, input: { ...fields, id: params.id } });
});
