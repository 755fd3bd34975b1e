import 'server-only';

/** Optional authorize parameters /login passes on to Scalekit, in the SDK's spelling. */
export interface AuthorizeOptions {
  organizationId?: string;
  connectionId?: string;
  loginHint?: string;
  domainHint?: string;
  provider?: string;
  prompt?: string;
}

/** The authorize parameters `/login` passes on, and what each may hold. */
const AUTHORIZE_PARAMS = {
  organization_id: ['organizationId', /^org_[A-Za-z0-9]{1,64}$/],
  connection_id: ['connectionId', /^conn_[A-Za-z0-9]{1,64}$/],
  // An email or username: printable, no spaces or angle brackets, at most 254 characters.
  login_hint: ['loginHint', /^[^\s<>"'\\]{1,254}$/],
  domain_hint: ['domainHint', /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i],
  provider: ['provider', /^[a-z][a-z0-9_]{1,31}$/],
  prompt: ['prompt', /^(login|create|select_account|none|consent)$/],
} as const satisfies Record<string, readonly [keyof AuthorizeOptions, RegExp]>;

type AuthorizeParam = keyof typeof AUTHORIZE_PARAMS;

/**
 * True when `value` is acceptable for the authorize parameter `param`: the one rule `/login`
 * applies, for forms that build its URL (sign in with SSO, switch organization).
 *
 * @example
 * isValidAuthorizeValue('organization_id', 'org_123'); // true
 */
export function isValidAuthorizeValue(param: AuthorizeParam, value: string): boolean {
  return AUTHORIZE_PARAMS[param][1].test(value);
}

/**
 * Reads and validates the optional authorize parameters. Returns null when any given one is
 * malformed (the caller answers with `invalid_request` rather than pass it on).
 *
 * @example
 * readAuthorizeOptions(new URLSearchParams('organization_id=org_123')); // { organizationId: 'org_123' }
 */
export function readAuthorizeOptions(params: URLSearchParams): AuthorizeOptions | null {
  const options: AuthorizeOptions = {};
  for (const [param, [option, pattern]] of Object.entries(AUTHORIZE_PARAMS)) {
    const values = params.getAll(param);
    if (values.length === 0) continue;
    if (values.length > 1 || !pattern.test(values[0]!)) return null;
    options[option] = values[0];
  }
  return options;
}

/**
 * Authorize parameters only the app sets: whatever a query says, these come from `/login` itself
 * (a query must not choose the redirect URI, weaken PKCE or replace the state).
 */
const OWNED_BY_THE_APP = new Set([
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'redirect_uri',
  'client_id',
  'response_type',
  'scope',
]);

/** Longest query `/login` forwards, so the authorize URL stays well within header limits. */
const MAX_FORWARDED_LENGTH = 2048;

/**
 * The query parameters `/login` passes on to the authorize URL unchanged: every one it neither
 * owns (`OWNED_BY_THE_APP`), reads itself (`own`), nor validates as an {@link AuthorizeOptions}.
 * Scalekit sends people to the initiate-login URL with parameters of its own (an invitation's,
 * whose names it does not publish) and asks apps to forward them. Returns null when they are too
 * long to forward.
 *
 * @example
 * forwardedParams(new URLSearchParams('invitation=abc&returnTo=/x'), ['returnTo']); // [['invitation', 'abc']]
 */
export function forwardedParams(
  params: URLSearchParams,
  own: readonly string[],
): Array<[string, string]> | null {
  const forwarded = [...params].filter(
    ([name]) =>
      !OWNED_BY_THE_APP.has(name) && !own.includes(name) && !Object.hasOwn(AUTHORIZE_PARAMS, name),
  );
  const length = new URLSearchParams(forwarded).toString().length;
  return length > MAX_FORWARDED_LENGTH ? null : forwarded;
}
