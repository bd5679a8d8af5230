import "server-only";
import { getDb } from "@/server/database";
import { can } from "@/lib/context";
import { loadStatusView, type Viewer } from "@/lib/status/read";
import { getPublicStatusView } from "./public-docs";
import { getSessionCtx } from "./ctx";

/**
 * Who is looking at a public page. A signed-in member of a tenant also sees that tenant's
 * tenant-only incidents; everyone else (anonymous, other tenants' members seeing only their own,
 * platform staff) gets exactly the public view.
 */
export async function pageViewer(): Promise<{
  viewer: Viewer;
  tenantName?: string;
  signedIn: boolean;
}> {
  const ctx = await getSessionCtx();
  if (ctx && ctx.org.kind === "tenant" && can(ctx, "incidents:read")) {
    return { viewer: { viewerOrgId: ctx.org.id }, tenantName: ctx.org.name, signedIn: true };
  }
  return { viewer: { viewerOrgId: null }, signedIn: Boolean(ctx) };
}

/** The public view comes from the shared snapshot; a tenant's view is built for them. */
export async function statusViewFor(viewer: Viewer) {
  return viewer.viewerOrgId ? loadStatusView(await getDb(), viewer) : getPublicStatusView();
}
