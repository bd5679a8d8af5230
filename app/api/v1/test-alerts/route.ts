import { apiRoute, readJson } from "@/app/_server/api";
import { sendTestAlert } from "@/lib/alerts/test-alert";

/** Queues the test; poll GET /api/v1/deliveries/{id} for the result. */
export const POST = apiRoute(async ({ ctx, req }) => {
  const { deliveryIds } = await sendTestAlert({ ctx, input: await readJson(req) });
  return Response.json({ deliveryIds }, { status: 202 });
});
