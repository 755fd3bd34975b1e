import type { EdgeConfig } from './config';
import { AuthError } from './errors';
import { seal, unseal, type SealPurpose } from './seal';

/** The cookies a session is made of. Each holds one sealed value. */
export type SessionCookie = Extract<SealPurpose, 'access' | 'refresh' | 'id' | 'transaction'>;

/** The subset of Next's `RequestCookies` this module reads. */
export interface CookieSource {
  get(name: string): { value: string } | undefined;
}

/** The subset of Next's `ResponseCookies` this module writes. */
export interface CookieSink {
  set(name: string, value: string, options: CookieOptions): unknown;
}

export interface CookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: string;
  maxAge: number;
}

/** Browsers cap a cookie's name plus value at 4096 bytes; this leaves room for the attributes. */
export const MAX_COOKIE_VALUE = 3800;
const MAX_CHUNKS = 8;
/** Chunk values read `<total>~<part>`: a reader refuses a set whose parts disagree or are missing. */
const CHUNK_SEPARATOR = '~';

/**
 * How long a sign-in may take, from `/login` to the callback: the transaction cookie's lifetime and
 * the age beyond which the callback refuses it. Scalekit's authorization codes live ~10 minutes.
 */
export const TRANSACTION_MAX_AGE_SECONDS = 600;

/** The refresh cookie is only ever sent to the refresh route, as in Scalekit's cookbook. */
const REFRESH_PATH = '/api/refresh';

const BASE_NAMES: Record<SessionCookie, string> = {
  access: 'sk_access',
  refresh: 'sk_refresh',
  id: 'sk_id',
  transaction: 'sk_txn',
};

/**
 * A cookie's name: `__Host-` in secure mode (Secure, Path=/, no Domain), except the path-scoped
 * refresh cookie, which can only take `__Secure-`.
 */
export function cookieName(kind: SessionCookie, config: Pick<EdgeConfig, 'secureCookies'>): string {
  const base = BASE_NAMES[kind];
  if (!config.secureCookies) return base;
  return kind === 'refresh' ? `__Secure-${base}` : `__Host-${base}`;
}

export function cookieOptions(
  kind: SessionCookie,
  config: Pick<EdgeConfig, 'secureCookies' | 'sessionMaxAgeSeconds'>,
  maxAge: number = kind === 'transaction'
    ? TRANSACTION_MAX_AGE_SECONDS
    : config.sessionMaxAgeSeconds,
): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: kind === 'refresh' ? REFRESH_PATH : '/',
    maxAge,
  };
}

/** Reads a possibly chunked cookie value; `null` when absent or when the chunk set is incomplete. */
export function readCookieValue(cookies: CookieSource, name: string): string | null {
  const whole = cookies.get(name)?.value;
  if (whole) return whole;
  const first = cookies.get(`${name}.0`)?.value;
  if (!first) return null;
  const total = Number(first.slice(0, first.indexOf(CHUNK_SEPARATOR)));
  if (!Number.isInteger(total) || total < 2 || total > MAX_CHUNKS) return null;
  let value = '';
  for (let i = 0; i < total; i++) {
    const part = cookies.get(`${name}.${i}`)?.value;
    const prefix = `${total}${CHUNK_SEPARATOR}`;
    if (!part?.startsWith(prefix)) return null;
    value += part.slice(prefix.length);
  }
  return value;
}

/**
 * Writes a value under `name`, split into `name.0 … name.N` when it is too large for one cookie,
 * and deletes whichever form (whole or chunks) the browser held before.
 */
export function writeCookieValue(
  sink: CookieSink,
  name: string,
  value: string,
  options: CookieOptions,
  existing?: CookieSource,
): void {
  const expire = { ...options, maxAge: 0 };
  if (value.length <= MAX_COOKIE_VALUE) {
    sink.set(name, value, options);
    for (const chunk of chunkNames(name, existing)) sink.set(chunk, '', expire);
    return;
  }
  const size = MAX_COOKIE_VALUE - 4;
  const total = Math.ceil(value.length / size);
  if (total > MAX_CHUNKS) throw new AuthError('token_invalid', `${name} is too large to store`);
  for (let i = 0; i < total; i++) {
    sink.set(
      `${name}.${i}`,
      `${total}${CHUNK_SEPARATOR}${value.slice(i * size, (i + 1) * size)}`,
      options,
    );
  }
  for (const chunk of chunkNames(name, existing).slice(total)) sink.set(chunk, '', expire);
  if (existing?.get(name)) sink.set(name, '', expire);
}

/** Deletes a cookie and any chunks of it the request shows. */
function deleteCookieValue(
  sink: CookieSink,
  name: string,
  options: CookieOptions,
  existing?: CookieSource,
): void {
  const expire = { ...options, maxAge: 0 };
  sink.set(name, '', expire);
  for (const chunk of chunkNames(name, existing)) sink.set(chunk, '', expire);
}

function chunkNames(name: string, existing: CookieSource | undefined): string[] {
  const names: string[] = [];
  if (!existing) return names;
  for (let i = 0; i < MAX_CHUNKS && existing.get(`${name}.${i}`); i++) names.push(`${name}.${i}`);
  return names;
}

/**
 * Opens a session cookie. Anything that does not open (absent, tampered, sealed for another
 * purpose or with an unknown secret, incomplete chunks) reads as `null`: no session.
 *
 * @example
 * const token = await readSessionCookie(request.cookies, 'access', config);
 */
export async function readSessionCookie(
  cookies: CookieSource,
  kind: SessionCookie,
  config: Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets'>,
): Promise<string | null> {
  const sealed = readCookieValue(cookies, cookieName(kind, config));
  return sealed === null ? null : unseal(sealed, kind, config.sessionSecrets);
}

/** Seals `plaintext` and writes it as the `kind` session cookie. */
export async function writeSessionCookie(
  sink: CookieSink,
  kind: SessionCookie,
  plaintext: string,
  config: WriteConfig,
  existing?: CookieSource,
): Promise<void> {
  const sealed = await seal(plaintext, kind, config.sessionSecrets);
  writeCookieValue(sink, cookieName(kind, config), sealed, cookieOptions(kind, config), existing);
}

/** Expires the `kind` session cookie (and its chunks), on its own path. */
export function deleteSessionCookie(
  sink: CookieSink,
  kind: SessionCookie,
  config: Pick<EdgeConfig, 'secureCookies' | 'sessionMaxAgeSeconds'>,
  existing?: CookieSource,
): void {
  deleteCookieValue(sink, cookieName(kind, config), cookieOptions(kind, config), existing);
}

type WriteConfig = Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets' | 'sessionMaxAgeSeconds'>;
