import { apiRoute, readJson } from "@/app/_server/api";
import { createOrganization, listOrganizations } from "@/lib/organizations/organizations";
import { listActivationProgress } from "@/lib/activation/checklist";

export const GET = apiRoute(async ({ ctx }) => {
  const orgs = await listOrganizations({ ctx });
  // Each tenant's activation progress (done, total, live), read for all of them at once.
  const progress = await listActivationProgress({ ctx });
  return orgs.map((o) => ({ ...o, activation: progress.get(o.id) ?? null }));
});
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(await createOrganization({ ctx, input: await readJson(req) }), { status: 201 }),
);
