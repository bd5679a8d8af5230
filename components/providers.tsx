"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";

const options = { defaultOptions: { queries: { staleTime: 5_000 } } };

// In the browser one query client serves the whole portal (the inbox indicator beside the
// navigation and the page both live under a <Providers>); on the server, one per render.
let browserClient: QueryClient | undefined;
let browserOrgId: string | undefined;

function clientFor(orgId: string | undefined): QueryClient {
  if (typeof window === "undefined") return new QueryClient(options);
  browserClient ??= new QueryClient(options);
  // Switching organization drops every cached answer: none may show in another tenant.
  if (browserOrgId !== orgId) {
    browserClient.clear();
    browserOrgId = orgId;
  }
  return browserClient;
}

export function Providers({ children, orgId }: { children: React.ReactNode; orgId?: string }) {
  const [client] = useState(() => clientFor(orgId));
  if (typeof window !== "undefined" && browserOrgId !== orgId) clientFor(orgId);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
