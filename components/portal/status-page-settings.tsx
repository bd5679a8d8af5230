"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { FormMessage } from "@/components/ui/alert";
import { buttonClass, SubmitButton } from "@/components/ui/button";
import { Field, TextareaField } from "@/components/ui/field";
import { KeptForm, useKeptActionState } from "@/components/ui/action-form";
import type { ActionResult } from "@/lib/errors";
import type { StatusPageSettings } from "@/lib/status/settings";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<undefined>>;

/** Name, colour, addresses, time zone and banner; each field's error shown beside it. */
export function StatusPageSettingsForm({
  settings,
  action,
}: {
  settings: StatusPageSettings;
  action: Action;
}) {
  const [state, formAction] = useKeptActionState<ActionResult<undefined> | null>(action, null);
  return (
    <KeptForm
      state={state}
      formAction={formAction}
      label="Status page settings"
      className="space-y-4"
    >
      <Field
        label="Page name"
        name="name"
        defaultValue={settings.name ?? ""}
        placeholder={settings.defaultName}
        hint={`Shown as "<name> status". Empty: ${settings.defaultName}.`}
        maxLength={100}
      />
      <Field
        label="Brand colour"
        name="brandColor"
        defaultValue={settings.brandColor ?? ""}
        placeholder="#1a73e8"
        hint="A hex colour for the page's header; the text on it is black or white, whichever reads better. Empty: Beacon's default."
      />
      <Field
        label="Public URL"
        name="publicUrl"
        type="url"
        defaultValue={settings.publicUrl ?? ""}
        placeholder="https://status.example.com"
        hint="Where visitors reach the page; links in feeds and /api/v2 point here. Empty: APP_URL."
      />
      <Field
        label="Support link"
        name="supportUrl"
        defaultValue={settings.supportUrl ?? ""}
        placeholder="https://support.example.com"
        hint="Shown in the page's footer: an https:// URL or a mailto: address."
      />
      <Field
        label="Contact link"
        name="contactUrl"
        defaultValue={settings.contactUrl ?? ""}
        placeholder="mailto:noc@example.com"
        hint="Shown in the page's footer: an https:// URL or a mailto: address."
      />
      <Field
        label="Default time zone"
        name="timeZone"
        defaultValue={settings.timeZone}
        placeholder="UTC"
        hint="IANA name (Europe/Berlin). Times show in it until the visitor's browser shows its own."
      />
      <TextareaField
        label="Notice banner"
        name="notice"
        rows={3}
        maxLength={1000}
        defaultValue={settings.notice ?? ""}
        hint="Optional, markdown, at most 1000 characters; shown at the top of the page. Empty: no banner."
      />
      <SubmitButton pendingText="Saving…">Save settings</SubmitButton>
      {state?.ok && <FormMessage result={state} />}
    </KeptForm>
  );
}

/**
 * The logo upload: posted to its own route handler (/api/portal/status-page/logo), whose body
 * limit is the logo's, not the server actions' one.
 */
export function LogoUploadForm({ maxKb }: { maxKb: number }) {
  const router = useRouter();
  const [result, setResult] = useState<{ ok: boolean; error?: string; message?: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  async function upload(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    try {
      const res = await fetch("/api/portal/status-page/logo", {
        method: "POST",
        body: new FormData(e.currentTarget),
      });
      if (res.ok) {
        setResult({ ok: true, message: "Logo uploaded. The public page shows it now." });
        router.refresh();
      } else {
        const body = (await res.json().catch(() => null)) as {
          error?: { message?: string };
        } | null;
        setResult({ ok: false, error: body?.error?.message ?? `Upload failed (${res.status})` });
      }
    } catch {
      setResult({ ok: false, error: "Upload failed: the server could not be reached" });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={upload} aria-label="Upload logo" className="space-y-3">
      <div className="space-y-1">
        <label htmlFor="logo" className="block text-sm font-medium">
          Logo image
        </label>
        <input
          id="logo"
          name="logo"
          type="file"
          required
          accept="image/png,image/jpeg,image/webp"
          aria-describedby="logo-hint"
          className="block text-sm"
        />
        <p id="logo-hint" className="text-xs text-slate-500 dark:text-slate-400">
          PNG, JPEG or WebP, at most {maxKb} KB. SVG is not accepted.
        </p>
      </div>
      <button type="submit" disabled={busy} className={buttonClass("secondary")}>
        {busy ? "Uploading…" : "Upload logo"}
      </button>
      <FormMessage result={result} />
    </form>
  );
}
