import { connection } from "next/server";
import { pageViewer, statusViewFor } from "@/app/_server/viewer";
import { StatusHeader, StatusPageBody } from "@/components/status/status-page";

export default async function StatusPage() {
  await connection();
  const { viewer, tenantName, signedIn } = await pageViewer();
  const view = await statusViewFor(viewer);
  return (
    <main className="mx-auto max-w-4xl space-y-8 p-4 sm:p-6">
      <StatusHeader name={view.page.name} signedIn={signedIn} />
      <StatusPageBody view={view} tenantName={tenantName} />
    </main>
  );
}
