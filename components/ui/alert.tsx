export function FormMessage({
  result,
}: {
  result?: { ok: boolean; error?: string; message?: string } | null;
}) {
  if (!result) return null;
  if (result.ok) {
    return result.message ? (
      <p
        role="status"
        className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
      >
        {result.message}
      </p>
    ) : null;
  }
  return (
    <p
      role="alert"
      className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
    >
      {result.error}
    </p>
  );
}
