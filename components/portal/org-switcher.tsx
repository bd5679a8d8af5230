"use client";

import { useRef } from "react";

export function OrgSwitcher({
  orgs,
  currentId,
  action,
}: {
  orgs: { orgId: string; name: string }[];
  currentId: string;
  action: (form: FormData) => Promise<void>;
}) {
  const form = useRef<HTMLFormElement>(null);
  return (
    <form ref={form} action={action}>
      <label className="sr-only" htmlFor="org-switcher">
        Organization
      </label>
      <select
        id="org-switcher"
        name="orgId"
        defaultValue={currentId}
        onChange={() => form.current?.requestSubmit()}
        className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
      >
        {orgs.map((o) => (
          <option key={o.orgId} value={o.orgId}>
            {o.name}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
    </form>
  );
}
