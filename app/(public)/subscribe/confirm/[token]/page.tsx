import type { Metadata } from "next";
import Link from "next/link";
import { ConfirmForm } from "./confirm-form";

export const metadata: Metadata = { title: "Confirm subscription", robots: { index: false } };

/**
 * Confirmation asks for a click rather than confirming on GET: mail scanners open links, and a
 * scanner must not be able to confirm an address on its owner's behalf.
 */
export default async function ConfirmSubscriptionPage({
  params,
}: {
  params: Promise<{ token: string }>;
}) {
  const { token } = await params;
  return (
    <main className="mx-auto max-w-lg space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Confirm your subscription</h1>
      <ConfirmForm token={token} />
      <p className="text-sm">
        <Link href="/" className="underline">
          Back to the status page
        </Link>
      </p>
    </main>
  );
}
