import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";
import { SettingsForm } from "@/components/alerts/forms";
import { LogoUploadForm, StatusPageSettingsForm } from "@/components/portal/status-page-settings";
import { getStatusPageSettings, LOGO_MAX_BYTES } from "@/lib/status/settings";
import { removeLogoAction, saveStatusPageAction } from "./actions";

export const metadata: Metadata = { title: "Status page" };

export default async function StatusPageSettingsPage() {
  const ctx = await requirePageCtx("status_page:manage", "/portal/status-page");
  const settings = await getStatusPageSettings({ ctx });
  return (
    <>
      <PageHeader
        title="Status page"
        description="How the public status page looks and where it points. Changes show on the page, /api/v2, feeds and badge at once."
      />
      <div className="space-y-6">
        <Card title="Settings">
          <StatusPageSettingsForm settings={settings} action={saveStatusPageAction} />
        </Card>
        <Card title="Logo">
          {settings.logo ? (
            <div className="mb-4 flex items-center gap-4">
              {/* eslint-disable-next-line @next/next/no-img-element -- a stored upload, served as is */}
              <img src={settings.logo.url} alt="Current logo" className="h-10 w-auto" />
              <span className="text-sm text-slate-600 dark:text-slate-400">
                {settings.logo.contentType}, {Math.ceil(settings.logo.bytes / 1024)} KB
              </span>
              <SettingsForm action={removeLogoAction} label="Remove logo" submit="Remove logo" />
            </div>
          ) : (
            <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
              No logo: the page shows its name only.
            </p>
          )}
          <LogoUploadForm maxKb={LOGO_MAX_BYTES / 1024} />
        </Card>
      </div>
    </>
  );
}
