import { apiRoute, readJson } from "@/app/_server/api";
import { createComponent, listCatalog } from "@/lib/catalog/manage";

/** The status page's groups and components, archived ones included (`archivedAt` set). */
export const GET = apiRoute(async ({ ctx }) => {
  const { groups, components } = await listCatalog({ ctx });
  return { groups, components };
});

/** Creates a component; `regionIds` left out puts it in every live region. */
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(
    { component: await createComponent({ ctx, input: await readJson(req) }) },
    { status: 201 },
  ),
);
