import { can, type Ctx } from "@/lib/context";
import type { Viewer } from "./read";

export interface PageViewer {
  viewer: Viewer;
  /** The tenant whose own incidents are shown (marked "Visible only to …"). */
  tenantName?: string;
  signedIn: boolean;
}

/**
 * Who is looking at a public page, from their context (null: anonymous). A signed-in member of a
 * tenant who may read incidents also sees that tenant's tenant-only incidents; everyone else
 * (anonymous, platform staff, a member without the permission) gets exactly the public view.
 * One rule for the page Next renders and for the status fast path's cached copies of it.
 */
export function pageViewerOf(ctx: Ctx | null): PageViewer {
  if (ctx && ctx.org.kind === "tenant" && can(ctx, "incidents:read")) {
    return { viewer: { viewerOrgId: ctx.org.id }, tenantName: ctx.org.name, signedIn: true };
  }
  return { viewer: { viewerOrgId: null }, signedIn: Boolean(ctx) };
}
