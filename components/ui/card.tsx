import Link from "next/link";

export function Card({
  title,
  children,
  actions,
  id,
}: {
  title?: string;
  /** An anchor other pages link to (e.g. the activation checklist's "where to click"). */
  id?: string;
  children: React.ReactNode;
  actions?: React.ReactNode;
}) {
  return (
    <section
      id={id}
      className="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm [--surface:var(--color-white)] dark:border-slate-800 dark:bg-slate-900 dark:[--surface:var(--color-slate-900)]"
    >
      {(title || actions) && (
        <div className="mb-4 flex items-center justify-between gap-4">
          {title && <h2 className="text-base font-semibold">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

export function PageHeader({
  title,
  description,
}: {
  title: string;
  description?: React.ReactNode;
}) {
  return (
    <header className="mb-6">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {description && (
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>
      )}
    </header>
  );
}

/** "Public page: /incidents/…", as a link to it (the console's incident and maintenance pages). */
export function PublicPageLink({ path }: { path: string }) {
  return (
    <>
      {"Public page: "}
      <Link href={path} className="text-sky-700 underline dark:text-sky-400">
        {path}
      </Link>
    </>
  );
}
