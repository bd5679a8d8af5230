import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-10">
      <h1 className="text-2xl font-semibold">You don&apos;t have access to this page</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-400">
        Your role in this organization does not include it. Ask an admin of your organization if you
        need it.
      </p>
      <Link href="/portal" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        Back to the portal
      </Link>
    </main>
  );
}
