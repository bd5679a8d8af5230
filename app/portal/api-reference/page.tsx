import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { openApiDocument } from "@/app/_server/openapi";
import { PageHeader } from "@/components/ui/card";
import { ApiReference } from "@/components/portal/api-reference";

export const metadata: Metadata = { title: "API reference" };

/** /api/v1 for people: the same OpenAPI document /api/v1/openapi.json serves, rendered here. */
export default async function ApiReferencePage() {
  await requirePageCtx(undefined, "/portal/api-reference");
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every /api/v1 call: what it needs, what it takes, what it answers."
      />
      <ApiReference
        doc={openApiDocument() as unknown as Parameters<typeof ApiReference>[0]["doc"]}
      />
    </>
  );
}
