import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl p-10">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-400">
        There is nothing here, or it belongs to an organization you are not part of.
      </p>
      <Link href="/" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        Go to the status page
      </Link>
    </main>
  );
}
