import { apiRoute, readJson } from "@/app/_server/api";
import { createOrganization, listOrganizations } from "@/lib/organizations/organizations";

export const GET = apiRoute(({ ctx }) => listOrganizations({ ctx }));
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(await createOrganization({ ctx, input: await readJson(req) }), { status: 201 }),
);
