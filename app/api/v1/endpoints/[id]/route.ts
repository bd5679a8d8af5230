import { apiRoute } from "@/app/_server/api";
import { deleteEndpoint } from "@/lib/alerts/endpoints";

export const DELETE = apiRoute<{ id: string }>(async ({ ctx, params }) => {
  await deleteEndpoint({ ctx, input: { id: params.id } });
  return new Response(null, { status: 204 });
});
