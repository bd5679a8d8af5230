/**
 * Signed-in and sign-in pages may not be framed by another site (clickjacking). The public status
 * page stays framable: embedding it is a use, and it has nothing to click that acts for a user.
 */
const noFraming = [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files from its own package directory at run time.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  experimental: {
    // forbidden() / unauthorized() for pages a role may not open.
    authInterrupts: true,
    serverActions: {
      // Next accepts 1 MB per server action by default, signed in or not (sign-in, subscribe and
      // invitation forms are public). The largest form is a postmortem of 100,000 characters, at
      // most 300,000 bytes of UTF-8; anything larger is refused with 413 before it is parsed.
      // An upload (say, a logo) gets its own route handler with its own limit.
      bodySizeLimit: "384kb",
    },
  },
  poweredByHeader: false,
  async headers() {
    return ["/portal", "/portal/:path*", "/signin", "/signin/:path*", "/invite/:path*"].map(
      (source) => ({ source, headers: noFraming }),
    );
  },
};

export default nextConfig;
