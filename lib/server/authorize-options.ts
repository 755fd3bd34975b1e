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
