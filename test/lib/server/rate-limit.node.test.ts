import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createMemoryLimiter,
  createUpstashLimiter,
  RATE_LIMITS,
  rateLimit,
  type Limiter,
} from '@/lib/server/rate-limit';
import { APP_URL, call, DOCUMENT } from '../../support/app';
import { loadAppInstance } from '../../support/app-instance';
import { startUpstash, type LocalUpstash } from '../../tools/upstash-endpoint/start-upstash';

let upstash: LocalUpstash;
beforeAll(async () => {
  upstash = await startUpstash();
});
afterEach(() => {
  upstash.rest.setFault(null);
  vi.restoreAllMocks();
  vi.useRealTimers();
});
afterAll(() => upstash?.close());

/** A client of its own for each test: the Upstash store is shared by the whole file. */
const newClient = () => `198.51.100.${Math.floor(Math.random() * 250)}-${randomUUID()}`;
const requestFrom = (client: string) =>
  new NextRequest(new URL('/login', APP_URL), { headers: { 'x-forwarded-for': client } });
const LOGIN = RATE_LIMITS.login.requests;

const stores: Array<[string, () => Limiter]> = [
  ['in memory', () => createMemoryLimiter()],
  ['on Upstash', () => createUpstashLimiter({ url: upstash.url, token: upstash.token })],
];

describe.each(stores)('rate limit, %s', (_, makeLimiter) => {
  it(`rate limit: lets one client make ${LOGIN} sign-in starts a minute, then says when to retry`, async () => {
    // The clock stands still: Upstash's fixed windows start on whole minutes, and a run that
    // crossed one would start a new budget halfway.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const limiter = makeLimiter();
    const client = newClient();
    const answers = [];
    for (let i = 0; i < LOGIN; i++)
      answers.push(await rateLimit(requestFrom(client), 'login', limiter));
    expect(answers).toEqual(Array(LOGIN).fill(null));
    const retryAfter = await rateLimit(requestFrom(client), 'login', limiter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(RATE_LIMITS.login.windowSeconds);
    // Another client, and the same client on another route, have budgets of their own.
    expect(await rateLimit(requestFrom(newClient()), 'login', limiter)).toBeNull();
    expect(await rateLimit(requestFrom(client), 'refresh', limiter)).toBeNull();
  });
});

describe('rate limit, in memory', () => {
  it('rate limit: opens a new window once the last one has ended', async () => {
    const clock = { ms: 1_000_000 };
    const limiter = createMemoryLimiter(() => clock.ms);
    const client = newClient();
    for (let i = 0; i < LOGIN; i++) await limiter('login', client);
    expect((await limiter('login', client)).allowed).toBe(false);
    clock.ms += RATE_LIMITS.login.windowSeconds * 1000 - 1;
    expect((await limiter('login', client)).allowed).toBe(false);
    clock.ms += 1;
    expect((await limiter('login', client)).allowed).toBe(true);
  });
});

describe('rate limit, on Upstash', () => {
  it('rate limit: lets requests through when Upstash cannot answer (protection, not authentication)', async () => {
    const limiter = createUpstashLimiter({ url: upstash.url, token: upstash.token });
    const client = newClient();
    upstash.rest.setFault({ mode: 'error' });
    const answers = [];
    for (let i = 0; i <= LOGIN; i++)
      answers.push(await rateLimit(requestFrom(client), 'login', limiter));
    expect(answers).toEqual(Array(LOGIN + 1).fill(null));
  });
});

describe.each([
  ['in memory', () => ({})],
  [
    'on Upstash',
    () => ({ UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token }),
  ],
])('rate limit on /login, %s', (_, env) => {
  it('rate limit: answers a client over the limit with 429 and Retry-After, JSON for fetch and a plain page for a document', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // The clock stands still, so 300 sign-in starts on a busy machine stay in one window (the
    // limiters read the window from Date.now(); Upstash's key lives its full minute of real time).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const app = await loadAppInstance(env());
    const client = newClient();
    const from = { 'x-forwarded-for': client, 'sec-fetch-mode': 'cors', accept: '*/*' };
    for (let i = 0; i < LOGIN; i++) {
      expect((await call(app.login, '/login', { headers: from })).status).toBe(307);
    }
    const api = await call(app.login, '/login', { headers: from });
    expect(api.status).toBe(429);
    expect(Number(api.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await api.json()).toEqual({ error: 'rate_limited' });
    expect(api.headers.get('set-cookie')).toBeNull();

    const page = await call(app.login, '/login', {
      headers: { 'x-forwarded-for': client, ...DOCUMENT },
    });
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await page.text()).toContain('Error code: rate_limited');

    // Someone else signs in as usual.
    const other = await call(app.login, '/login', { headers: { 'x-forwarded-for': newClient() } });
    expect(other.status).toBe(307);
    const logged = warn.mock.calls
      .map((args) => String(args[0]))
      .filter((line) => line.includes('"code":"rate_limited"'));
    expect(logged).toHaveLength(2);
    expect(logged[0]).not.toContain(client);
  });
});
