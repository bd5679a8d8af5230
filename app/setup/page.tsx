import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/server/database";
import { needsSetup, setupTokenValid } from "@/lib/setup/setup";
import { completeSetupAction } from "./actions";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up Beacon" };
export const dynamic = "force-dynamic";

/**
 * First run only: the link the server prints at start while no platform admin exists. Once one
 * exists this page is gone (404); without a live token it says where to find one.
 */
export default async function SetupPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[] }>;
}) {
  const db = await getDb();
  if (!(await needsSetup(db))) notFound();
  const { token } = await searchParams;
  const value = typeof token === "string" ? token : "";
  const valid = await setupTokenValid(db, value);
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <h1 className="text-2xl font-semibold">Set up Beacon</h1>
      {valid ? (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Create the first platform admin and name your status page. This page works once.
          </p>
          <SetupForm token={value} action={completeSetupAction} />
        </>
      ) : (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          This setup link is not valid or has expired. Use the link the server printed at its last
          start, or restart the server for a new one (or run{" "}
          <code>npm run setup -- --email … --name …</code> on the server).
        </p>
      )}
    </main>
  );
}
