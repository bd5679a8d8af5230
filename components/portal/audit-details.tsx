/**
 * An audit row's recorded details, as indented JSON text. React escapes it, so whatever a detail
 * holds (an email subject, a name someone typed) is shown as text and never becomes markup.
 */
export function AuditDetails({ data }: { data: Record<string, unknown> }) {
  if (Object.keys(data).length === 0)
    return <span className="text-slate-500 dark:text-slate-400">—</span>;
  return (
    <pre className="max-w-md overflow-x-auto text-xs break-all whitespace-pre-wrap">
      {JSON.stringify(data, null, 2)}
    </pre>
  );
}
