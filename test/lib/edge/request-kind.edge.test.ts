import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { isPrefetch, requestKind } from '@/lib/edge/request-kind';
import { APP_URL } from '../../support/app';

// The headers as middleware sees them in Next 16.4.6 behind headless Chromium, per request kind
// (next-middleware-facts.md, section 1): Next strips `RSC`, `Next-Router-State-Tree` and
// `Next-Router-Prefetch` before middleware runs, so they are absent here unless noted.
const DOCUMENT = {
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  accept:
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
};
/** A `<Link>` navigation, an automatic prefetch and `<Link prefetch>`: the same, as seen here. */
const RSC = {
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'sec-fetch-site': 'same-origin',
  accept: '*/*',
  'next-url': '/dashboard',
};
const SERVER_ACTION = {
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'sec-fetch-site': 'same-origin',
  accept: 'text/x-component',
  'content-type': 'multipart/form-data; boundary=----WebKitFormBoundaryx8Jd5ZP2ePdzeG3K',
  'next-action': '7f3e1c2b9a8d4e5f60718293a4b5c6d7e8f90a1b',
  'next-url': '/dashboard',
};
const CLIENT_FETCH = {
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'sec-fetch-site': 'same-origin',
  accept: '*/*',
};

const omit = (headers: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));

const request = (path: string, headers: Record<string, string>, method = 'GET') =>
  new NextRequest(new URL(path, APP_URL), { method, headers });

describe('requestKind', () => {
  it.each([
    ['a document navigation', request('/dashboard', DOCUMENT), 'document'],
    [
      'a page request without Fetch Metadata (curl, an old browser)',
      request('/dashboard', {}),
      'document',
    ],
    [
      'a plain form POST navigation (no Next-Action)',
      request('/dashboard', DOCUMENT, 'POST'),
      'document',
    ],
    ['a <Link> navigation, or any prefetch of it', request('/dashboard/admin', RSC), 'rsc'],
    [
      'a subresource request (no-cors) for a page',
      request('/dashboard', { 'sec-fetch-mode': 'no-cors' }),
      'rsc',
    ],
    ['a Server Action', request('/dashboard', SERVER_ACTION, 'POST'), 'action'],
    ['a client fetch to an API route', request('/api/protected/me', CLIENT_FETCH), 'api'],
    ['a document navigation to an API route', request('/api/protected/me', DOCUMENT), 'api'],
    ['a request for /api itself', request('/api', CLIENT_FETCH), 'api'],
  ] as const)('reads %s as %s', (_, req, kind) => {
    expect(requestKind(req)).toBe(kind);
  });

  it('needs both POST and Next-Action for an action', () => {
    expect(requestKind(request('/dashboard', SERVER_ACTION, 'GET'))).toBe('rsc');
    expect(requestKind(request('/dashboard', omit(SERVER_ACTION, 'next-action'), 'POST'))).toBe(
      'rsc',
    );
  });

  it('does not take a path that merely starts with "api" for an API route', () => {
    expect(requestKind(request('/apiary', DOCUMENT))).toBe('document');
    expect(requestKind(request('/dashboard/api/x', CLIENT_FETCH))).toBe('rsc');
  });

  it('reads an RSC request the same when skipProxyUrlNormalize lets its flight headers through', () => {
    const flight = { ...RSC, rsc: '1', 'next-router-prefetch': '1' };
    expect(requestKind(request('/dashboard?_rsc=1x2y3', flight))).toBe('rsc');
  });
});

describe('isPrefetch', () => {
  it.each([
    [
      'Next-Router-Prefetch (visible only with skipProxyUrlNormalize)',
      { 'next-router-prefetch': '1' },
    ],
    ['Purpose: prefetch (<link rel=prefetch>)', { purpose: 'prefetch' }],
    ['Sec-Purpose: prefetch (speculation rules)', { 'sec-purpose': 'prefetch' }],
    ['Sec-Purpose: prefetch;prerender (a prerender)', { 'sec-purpose': 'prefetch;prerender' }],
  ])('sees a prefetch in %s', (_, headers) => {
    expect(isPrefetch(new Headers(headers))).toBe(true);
  });

  it.each([
    ['a document navigation', DOCUMENT],
    ['a <Link> navigation', RSC],
    ['a Server Action', SERVER_ACTION],
    ['a client fetch', CLIENT_FETCH],
  ])('sees none in %s', (_, headers) => {
    expect(isPrefetch(new Headers(headers))).toBe(false);
  });

  it('cannot tell an automatic <Link> prefetch from a navigation once Next stripped its header', () => {
    // What the browser sent for the prefetch, then what reached middleware.
    const sent = { ...RSC, rsc: '1', 'next-router-prefetch': '1' };
    const seen = omit(sent, 'rsc', 'next-router-prefetch');
    expect(isPrefetch(new Headers(sent))).toBe(true);
    expect(isPrefetch(new Headers(seen))).toBe(false);
  });
});
