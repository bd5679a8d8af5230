"use client";

import { createContext, useContext } from "react";

const ActiveOrg = createContext<string | null>(null);

/** The organization the portal page was rendered for; forms send it so actions can refuse a stale one. */
export function ActiveOrgProvider({
  orgId,
  children,
}: {
  orgId: string;
  children: React.ReactNode;
}) {
  return <ActiveOrg.Provider value={orgId}>{children}</ActiveOrg.Provider>;
}

/** The hidden field every portal form carries (name `_org`), read by runAction on the server. */
export function ActiveOrgField() {
  const orgId = useContext(ActiveOrg);
  return orgId ? <input type="hidden" name="_org" value={orgId} /> : null;
}
