import "server-only";
import { getDbHandle } from "@/server/database";
import { env } from "@/lib/env";
import { PUBLIC_DOCUMENTS, type PublicDocument } from "@/lib/status/documents";
import { startStatusListener } from "@/lib/status/listen";
import {
  CORS_HEADERS,
  notModified,
  PUBLIC_CACHE_CONTROL,
  publicDocument,
  publicStatusView,
} from "@/lib/status/snapshot";

export function isPublicDocument(name: string): name is PublicDocument {
  return (PUBLIC_DOCUMENTS as readonly string[]).includes(name);
}

async function db() {
  const handle = await getDbHandle();
  void startStatusListener(handle);
  return handle.db;
}

export async function getPublicStatusView() {
  return publicStatusView(await db());
}

/**
 * Serves a public document from the snapshot: open CORS, short shared caching, ETag with 304,
 * the body built once per status change (Next compresses it per request).
 */
export async function servePublicDocument(
  req: Request,
  name: PublicDocument,
  componentId?: string | null,
) {
  const doc = await publicDocument(await db(), name, { baseUrl: env.APP_URL, componentId });
  if (!doc) {
    return Response.json(
      { error: { code: "not_found", message: "Component not found" } },
      { status: 404, headers: CORS_HEADERS },
    );
  }
  const headers: Record<string, string> = {
    ...CORS_HEADERS,
    "content-type": doc.contentType,
    "cache-control": PUBLIC_CACHE_CONTROL,
    etag: doc.etag,
  };
  if (notModified(doc, req.headers.get("if-none-match")))
    return new Response(null, { status: 304, headers });
  return new Response(req.method === "HEAD" ? null : new Uint8Array(doc.body), {
    status: 200,
    headers,
  });
}

export function corsPreflight() {
  return new Response(null, {
    status: 204,
    headers: { ...CORS_HEADERS, "access-control-max-age": "86400" },
  });
}
