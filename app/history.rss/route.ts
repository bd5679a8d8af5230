import { corsPreflight, servePublicDocument } from "@/app/_server/public-docs";

export const GET = (req: Request) => servePublicDocument(req, "history.rss");
export const HEAD = GET;
export const OPTIONS = corsPreflight;
