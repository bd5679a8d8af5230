import { apiRoute, readJson } from "@/app/_server/api";
import { createGroup, listCatalog } from "@/lib/catalog/manage";

/** The status page's component groups, in order. */
export const GET = apiRoute(async ({ ctx }) => ({ groups: (await listCatalog({ ctx })).groups }));

export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json({ group: await createGroup({ ctx, input: await readJson(req) }) }, { status: 201 }),
);
