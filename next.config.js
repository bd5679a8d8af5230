/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files from its own package directory at run time.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  experimental: {
    // forbidden() / unauthorized() for pages a role may not open.
    authInterrupts: true,
  },
  poweredByHeader: false,
};

export default nextConfig;
