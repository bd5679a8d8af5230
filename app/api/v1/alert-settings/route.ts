import { apiRoute, readJson } from "@/app/_server/api";
import { getAlertSettings, updateAlertSettings } from "@/lib/alerts/settings";

export const GET = apiRoute(({ ctx }) => getAlertSettings({ ctx }));
export const PUT = apiRoute(async ({ ctx, req }) =>
  updateAlertSettings({ ctx, input: await readJson(req) }),
);
