import { NextResponse, type NextRequest } from "next/server";

// An optimistic check only: it sends visitors without a session cookie to sign-in. Every page,
// action and handler still checks the session and permission itself.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) =>
    request.cookies.getAll().some((c) => c.name === name || c.name.startsWith(`${name}.`)),
  );
  if (!hasSession) {
    const url = new URL("/signin", request.url);
    url.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = { matcher: ["/portal/:path*"] };
