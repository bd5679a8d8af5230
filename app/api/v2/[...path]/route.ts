import { corsPreflight, isPublicDocument, servePublicDocument } from "@/app/_server/public-docs";

// Statuspage v2: /api/v2/summary.json, /api/v2/incidents/unresolved.json, ...
export async function GET(req: Request, { params }: { params: Promise<{ path: string[] }> }) {
  const name = (await params).path.join("/");
  if (!name.endsWith(".json") || !isPublicDocument(name)) {
    return Response.json(
      { error: { code: "not_found", message: `No document /api/v2/${name}` } },
      { status: 404 },
    );
  }
  return servePublicDocument(req, name);
}
export const HEAD = GET;
export const OPTIONS = corsPreflight;
