import { describe, expect, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as login } from '@/app/(auth)/login/route';
import { withSession } from '@/lib/server/guards';
import { APP_URL, call, signIn } from '../../support/app';

// The signed-in browser comes from the stand-in through the real /login and callback.
const app = { login, callback };

describe('withSession (lib/server/guards.ts)', () => {
  it('a session-reading handler’s every answer is private, no-store with Vary: Cookie', async () => {
    const { jar } = await signIn(app, 'member');
    const handlers = [
      withSession(async (_request, session) => Response.json({ sub: session.claims.sub })),
      // Response.redirect's headers are immutable: the guard must still mark it.
      withSession(async () => Response.redirect(new URL('/dashboard', APP_URL), 303)),
      withSession(async () => new Response('ok', { headers: { 'Cache-Control': 'public' } })),
    ];
    for (const handler of handlers) {
      const response = await call(handler, '/api/anything', { jar });
      expect(response.status).toBeLessThan(400);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(response.headers.get('vary')).toMatch(/\bCookie\b/);
    }
  });
});
