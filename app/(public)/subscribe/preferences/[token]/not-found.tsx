import Link from "next/link";

/** A preferences link that names no subscription: forged, cut short, or of one that was removed. */
export default function PreferencesNotFound() {
  return (
    <main className="mx-auto max-w-lg space-y-4 p-6">
      <h1 className="text-2xl font-semibold">This link no longer works</h1>
      <p className="text-sm">
        It does not match a subscription: the subscription was removed (you unsubscribed, or it was
        never confirmed within 7 days), or the link was cut short when it was copied. Use the link
        in your most recent email, or subscribe again on the status page.
      </p>
      <p className="text-sm">
        <Link href="/" className="underline">
          Go to the status page
        </Link>
      </p>
    </main>
  );
}
