import { apiRoute } from "@/app/_server/api";
import { deleteEndpoint } from "@/lib/alerts/endpoints";
import { NotFoundError } from "@/lib/errors";
import { z } from "zod";

export const DELETE = apiRoute<{ id: string }>(async ({ ctx, params }) => {
  if (!z.uuid().safeParse(params.id).success) throw new NotFoundError("Endpoint");
  await deleteEndpoint({ ctx, id: params.id });
  return new Response(null, { status: 204 });
});
