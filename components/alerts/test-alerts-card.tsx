import { Card } from "@/components/ui/card";
import { TestAlertButton, type FormAction, type TestOutcome } from "./forms";

/** Test alerts by email, SMS and in-app, each answered in place with the provider's result. */
export function TestAlertsCard({
  emailPlaceholder,
  send,
}: {
  emailPlaceholder: string;
  send: FormAction<TestOutcome>;
}) {
  return (
    <Card title="Send test alert" id="test-alerts">
      <div className="space-y-3">
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Test alerts go only to your organization&apos;s members and listed recipients, at most a
          few an hour.
        </p>
        <TestAlertButton
          action={send}
          channel="email"
          withTo
          toLabel="Test email address"
          toPlaceholder={emailPlaceholder}
          label="Send test email"
        />
        <TestAlertButton
          action={send}
          channel="sms"
          withTo
          toLabel="Test phone number"
          toPlaceholder="+919812345678"
          label="Send test SMS"
        />
        <TestAlertButton action={send} channel="in_app" label="Send test in-app alert" />
      </div>
    </Card>
  );
}
