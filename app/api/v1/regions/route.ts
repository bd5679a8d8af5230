import { apiRoute, readJson } from "@/app/_server/api";
import { createRegion, listCatalog } from "@/lib/catalog/manage";

/** The status page's regions (POPs), archived ones included (`archivedAt` set). */
export const GET = apiRoute(async ({ ctx }) => ({ regions: (await listCatalog({ ctx })).regions }));

/** Creates a region; `componentIds` left out runs every live component in it. */
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(
    { region: await createRegion({ ctx, input: await readJson(req) }) },
    { status: 201 },
  ),
);
