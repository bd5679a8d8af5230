import { apiRoute, readJson } from "@/app/_server/api";
import { getStatusPageSettings, updateStatusPageSettings } from "@/lib/status/settings";

export const GET = apiRoute(({ ctx }) => getStatusPageSettings({ ctx }));
export const PUT = apiRoute(async ({ ctx, req }) =>
  updateStatusPageSettings({ ctx, input: await readJson(req) }),
);
