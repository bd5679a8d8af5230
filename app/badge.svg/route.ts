import { corsPreflight, servePublicDocument } from "@/app/_server/public-docs";

/** /badge.svg for the overall status, /badge.svg?component=<id> for one component. */
export const GET = (req: Request) =>
  servePublicDocument(req, "badge.svg", new URL(req.url).searchParams.get("component"));
export const HEAD = GET;
export const OPTIONS = corsPreflight;
