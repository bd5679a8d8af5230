import { getDb } from "@/server/database";
import { toHttpResponse } from "@/lib/errors";
import { loadStatusPageLogo } from "@/lib/status/settings";

/**
 * The status page's logo, at a URL named by its content hash: a new logo gets a new URL, so this
 * one can be cached for good. The type is the one sniffed from the bytes at upload.
 */
export async function GET(req: Request, { params }: { params: Promise<{ hash: string }> }) {
  try {
    const logo = await loadStatusPageLogo(await getDb(), (await params).hash);
    if (!logo) return new Response("Not found", { status: 404 });
    return new Response(req.method === "HEAD" ? null : new Uint8Array(logo.bytes), {
      headers: {
        "content-type": logo.contentType,
        "content-length": String(logo.bytes.byteLength),
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'",
        "cross-origin-resource-policy": "cross-origin",
      },
    });
  } catch (e) {
    return toHttpResponse(e);
  }
}
export const HEAD = GET;
