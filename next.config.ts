import type { NextConfig } from 'next';
import { securityHeaders } from './lib/config/security-headers';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // `forbidden()` answers a signed-in member on an admin page with a real 403.
  experimental: { authInterrupts: true },
  headers: async () => [{ source: '/:path*', headers: securityHeaders(process.env) }],
};

export default nextConfig;
