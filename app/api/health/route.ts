import { connection } from "next/server";
import { getDbHandle } from "@/server/database";
import { checkHealth } from "@/lib/health";

export async function GET() {
  await connection();
  const health = await checkHealth(getDbHandle);
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: {
      "cache-control": "no-store",
      ...(health.status === "ok" ? {} : { "retry-after": "5" }),
    },
  });
}
