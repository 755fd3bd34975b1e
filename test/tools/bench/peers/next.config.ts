import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `npm run typecheck` checks these files and the app's middleware; the peers' middleware is
  // typed by their own packages. Skipping it keeps each of the bench's builds short.
  typescript: { ignoreBuildErrors: true },
  // Every variant is built in the same directory: all but the first reuse the compiled app.
  experimental: { turbopackFileSystemCacheForBuild: true },
};

export default nextConfig;
