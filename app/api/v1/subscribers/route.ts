import { apiRoute } from "@/app/_server/api";
import { listSubscribers } from "@/lib/subscribers/list";

/** The status page's subscribers (platform keys with subscribers:manage): ?status=&channel=&q=&page=&limit= */
export const GET = apiRoute(({ ctx, req }) => {
  const params = [...new URL(req.url).searchParams].filter(([, v]) => v !== "");
  return listSubscribers({ ctx, input: Object.fromEntries(params) });
});
