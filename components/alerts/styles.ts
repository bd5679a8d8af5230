/** The alert settings' checkboxes and switches (a plain module: server cards import it). */
export const CHECKBOX = "h-4 w-4 rounded border-slate-300 accent-sky-700";
