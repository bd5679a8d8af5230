import "server-only";
import { headers } from "next/headers";
import { getDb } from "@/server/database";
import { fastPathViewer } from "@/server/status-fast-path";
import { loadUserCtxBriefly } from "@/lib/auth/session-ctx";
import { pageViewerOf, type PageViewer } from "@/lib/status/viewer";
import { tenantStatusView } from "@/lib/status/snapshot";
import type { Viewer } from "@/lib/status/read";
import { getPublicStatusView } from "./public-docs";
import { auth } from "./auth";

/**
 * Who is looking at a public page. A signed-in member of a tenant also sees that tenant's
 * tenant-only incidents; everyone else (anonymous, other tenants' members seeing only their own,
 * platform staff) gets exactly the public view. The membership is read at most every few
 * seconds (`loadUserCtxBriefly`): these pages are read-only and busiest during an outage.
 */
export async function pageViewer(): Promise<PageViewer> {
  // The status fast path rendering its copy of `/` for a viewer it has already decided.
  const internal = fastPathViewer(await headers());
  if (internal) return internal;
  const session = await auth();
  if (!session?.user?.id) return pageViewerOf(null);
  return pageViewerOf(
    await loadUserCtxBriefly(await getDb(), session.user.id, session.orgId, {
      sessionEpoch: typeof session.epoch === "number" ? session.epoch : 0,
    }),
  );
}

/**
 * Both from memory: the public view from the shared snapshot, a tenant's view from the snapshot
 * plus the tenant's own cached part (lib/status/snapshot.ts).
 */
export async function statusViewFor(viewer: Viewer) {
  return viewer.viewerOrgId
    ? tenantStatusView(await getDb(), viewer.viewerOrgId)
    : getPublicStatusView();
}
