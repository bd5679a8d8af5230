import { apiRoute } from "@/app/_server/api";
import { listAudit } from "@/lib/audit-log/list";

/**
 * GET: the key's organization's audit log, newest first (audit:read). Filters: ?actor= (a member
 * or API key id, or "system"), ?action= (exact, or a prefix ending in "."), ?from= and ?to=
 * (ISO 8601; from inclusive, to exclusive), ?limit= (1 to 200, 50). The next page: ?after= the
 * `next` of this one (null on the last page).
 */
export const GET = apiRoute(async ({ ctx, req }) => {
  const q = new URL(req.url).searchParams;
  return listAudit({ ctx, input: Object.fromEntries(q) });
});
