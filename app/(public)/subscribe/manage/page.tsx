import type { Metadata } from "next";
import Link from "next/link";
import { RotateSecretForm } from "./rotate-form";

export const metadata: Metadata = {
  title: "Manage a webhook subscription",
  robots: { index: false },
};

/**
 * A webhook subscriber rotates its signing secret here by pasting its management token (the
 * same as POST /api/subscribers/rotate-secret). The token is posted, never put in the URL.
 */
export default function ManageSubscriptionPage() {
  return (
    <main className="mx-auto max-w-lg space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Rotate a webhook&apos;s signing secret</h1>
      <p className="text-sm">
        Paste the management token you were given with the secret when you subscribed. You get a new
        secret; the old one keeps signing alongside it for 24 hours, so you can switch your receiver
        over without missing an event.
      </p>
      <RotateSecretForm />
      <p className="text-sm">
        <Link href="/" className="underline">
          Back to the status page
        </Link>
      </p>
    </main>
  );
}
