import type { Metadata } from "next";
import Link from "next/link";
import { VerifyWebhookForm } from "@/components/status/subscribe-form";
import { verifyOwnWebhookAction } from "../actions";
import { RotateSecretForm } from "./rotate-form";

export const metadata: Metadata = {
  title: "Manage a webhook subscription",
  robots: { index: false },
};

/**
 * A webhook subscriber rotates its signing secret, or asks for the verification challenge again,
 * here by pasting its management token (the same as POST /api/subscribers/rotate-secret and
 * /api/subscribers/verify). The token is posted, never put in the URL.
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
      <h2 className="text-xl font-semibold">Verify a webhook</h2>
      <p className="text-sm">
        Nothing is sent to a webhook until its URL answers Beacon&apos;s signed{" "}
        <code>subscription.verification</code> event by echoing <code>data.challenge</code> as{" "}
        <code>{'{"challenge": "…"}'}</code> within 5 seconds. If it did not when you subscribed, fix
        the receiver and paste the management token here to be challenged again (within 7 days;
        after that an unverified subscription is removed).
      </p>
      <VerifyWebhookForm action={verifyOwnWebhookAction} />
      <p className="text-sm">
        <Link href="/" className="underline">
          Back to the status page
        </Link>
      </p>
    </main>
  );
}
