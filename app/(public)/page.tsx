import Link from "next/link";
import { connection } from "next/server";
import { getDb } from "@/db";
import { readCatalog } from "@/lib/catalog/read";

export default async function StatusPage() {
  await connection();
  const { page, groups, regions } = await readCatalog(await getDb());
  return (
    <main className="mx-auto max-w-4xl space-y-8 p-6">
      <header className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{page?.name ?? "Beacon"} status</h1>
        <Link href="/portal" className="text-sm text-slate-600 hover:underline dark:text-slate-400">
          Sign in
        </Link>
      </header>
      {groups.map((g) => (
        <section
          key={g.id}
          aria-labelledby={`group-${g.id}`}
          className="rounded-lg border border-slate-200 dark:border-slate-800"
        >
          <h2
            id={`group-${g.id}`}
            className="border-b border-slate-200 px-4 py-3 font-medium dark:border-slate-800"
          >
            {g.name}
          </h2>
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {g.components.map((c) => (
              <li key={c.id} className="px-4 py-3">
                <p className="font-medium">{c.name}</p>
                {c.description && (
                  <p className="text-sm text-slate-600 dark:text-slate-400">{c.description}</p>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <section aria-labelledby="regions">
        <h2 id="regions" className="mb-2 font-medium">
          Regions
        </h2>
        <ul className="flex flex-wrap gap-2">
          {regions.map((r) => (
            <li
              key={r.id}
              className="rounded-full border border-slate-200 px-3 py-1 text-sm dark:border-slate-800"
            >
              {r.name} <span className="text-slate-500">({r.code})</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
