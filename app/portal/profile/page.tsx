import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { getMyNotifications } from "@/lib/members/my-notifications";
import { Card, PageHeader } from "@/components/ui/card";
import { MyNotificationsForm } from "@/components/portal/my-notifications-form";
import { ChangePasswordForm } from "@/components/portal/change-password-form";
import { ChangeNameForm } from "@/components/portal/change-name-form";
import { hasPassword } from "@/lib/members/change-password";
import { can } from "@/lib/context";
import { changeNameAction, changePasswordAction, saveMyNotificationsAction } from "./actions";

export const metadata: Metadata = { title: "My notifications" };
export const dynamic = "force-dynamic";

export default async function ProfilePage() {
  const ctx = await requirePageCtx(undefined, "/portal/profile");
  const [mine, withPassword] = await Promise.all([
    getMyNotifications({ ctx }),
    hasPassword({ ctx }),
  ]);
  const others = mine.otherOrgs;
  return (
    <div className="space-y-6">
      <PageHeader
        title="My notifications"
        description={`How Beacon tells you, in ${ctx.org.name}, about things in your own work that need attention: an endpoint switched off after it answered 410 Gone, an API key you created that someone revoked.`}
      />
      <Card title="User-level warnings">
        <MyNotificationsForm
          action={saveMyNotificationsAction}
          email={mine.email}
          initial={{
            phone: mine.phone,
            warningEmail: mine.warningEmail,
            warningSms: mine.warningSms,
          }}
          sharedPhoneNote={`Role-group SMS alerts use it too.${
            others > 0
              ? ` It is the same in the ${others} other organization${others === 1 ? "" : "s"} you belong to; the email and SMS choices above are for ${ctx.org.name} only.`
              : ""
          }`}
        />
      </Card>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Incident, maintenance and threshold alerts follow your organization&apos;s settings for your
        role group
        {can(ctx, "alerts:read") ? (
          <>
            {" "}
            in{" "}
            <Link href="/portal/alerts" className="text-sky-700 underline dark:text-sky-400">
              Alerts &amp; Notifications
            </Link>
          </>
        ) : null}
        ; they reach you at the email address and phone number above. Quiet hours and digests set
        there also hold back warning emails and SMS; in-app warnings are never held.
      </p>
      <Card title="Your name">
        <ChangeNameForm
          action={changeNameAction}
          name={ctx.actor.type === "user" ? ctx.actor.name : ""}
        />
      </Card>
      <Card title="Password">
        <ChangePasswordForm action={changePasswordAction} hasPassword={withPassword} />
      </Card>
    </div>
  );
}
