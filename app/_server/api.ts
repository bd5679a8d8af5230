import "server-only";
import { getDb } from "@/server/database";
import { authenticateApiKey } from "@/lib/api-keys/keys";
import type { Ctx } from "@/lib/context";
import { toHttpResponse, ValidationError } from "@/lib/errors";

type Params = Record<string, string | string[] | undefined>;
type Handler<P extends Params> = (args: { ctx: Ctx; req: Request; params: P }) => Promise<unknown>;

/**
 * A /api/v1 route handler: authenticates the API key (the organization and role come from the
 * key, never from the request), runs the handler and maps typed errors to JSON responses.
 */
export function apiRoute<P extends Params = Params>(handler: Handler<P>) {
  return async (req: Request, context: { params: Promise<P> }): Promise<Response> => {
    try {
      const ctx = await authenticateApiKey(await getDb(), req.headers.get("authorization"));
      const result = await handler({ ctx, req, params: await context.params });
      if (result instanceof Response) return result;
      return Response.json(result ?? null);
    } catch (e) {
      return toHttpResponse(e);
    }
  };
}

/** Reads a JSON body; malformed JSON is a 422 naming the body, not a 500. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: "(body)", message: "must be valid JSON" }]);
  }
}
