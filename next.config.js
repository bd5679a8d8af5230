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
  },
  poweredByHeader: false,
  async headers() {
    return ["/portal", "/portal/:path*", "/signin", "/signin/:path*", "/invite/:path*"].map(
      (source) => ({ source, headers: noFraming }),
    );
  },
};

export default nextConfig;
