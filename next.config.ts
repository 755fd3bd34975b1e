import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // `forbidden()` answers a signed-in member on an admin page with a real 403.
  experimental: { authInterrupts: true },
};

export default nextConfig;
