/** The escalation matrix (seed 001), as tenants and the public page show it. */
export function EscalationMatrix({
  tiers,
}: {
  tiers: {
    tier: number;
    name: string;
    description: string;
    phone: string | null;
    email: string | null;
  }[];
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 dark:border-slate-800">
            <th scope="col" className="py-2 pr-4">
              Tier
            </th>
            <th scope="col" className="py-2 pr-4">
              Contact point
            </th>
            <th scope="col" className="py-2">
              Contact
            </th>
          </tr>
        </thead>
        <tbody>
          {tiers.map((t) => (
            <tr key={t.tier} className="border-b border-slate-100 align-top dark:border-slate-800">
              <th scope="row" className="py-2 pr-4 font-medium whitespace-nowrap">
                Tier {t.tier}
              </th>
              <td className="py-2 pr-4">
                <p className="font-medium">{t.name}</p>
                <p className="text-slate-600 dark:text-slate-400">{t.description}</p>
              </td>
              <td className="py-2">
                <ul className="space-y-1">
                  {t.phone && (
                    <li>
                      <a className="underline" href={`tel:${t.phone.replace(/[^+\d]/g, "")}`}>
                        {t.phone}
                      </a>
                    </li>
                  )}
                  {t.email && (
                    <li>
                      <a className="underline" href={`mailto:${t.email}`}>
                        {t.email}
                      </a>
                    </li>
                  )}
                  {t.tier === 3 && <li>Escalation form (with your Tier 2 ticket ID)</li>}
                  {t.tier < 3 && !t.phone && !t.email && (
                    <li>A ticket from the portal&apos;s Support page</li>
                  )}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
