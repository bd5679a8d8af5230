import { apiRoute } from "@/app/_server/api";
import { openApiDocument } from "@/app/_server/openapi";

/**
 * The OpenAPI 3.1 description of /api/v1, built from the schemas that validate requests. Like
 * every /api/v1 route it takes an API key (any role); people read it at /portal/api-reference.
 */
export const GET = apiRoute(async () => openApiDocument());
