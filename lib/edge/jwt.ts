import { jwtVerify, type JWTPayload } from 'jose';
import { edgeConfig, type EdgeConfig } from './config';
import { AuthError, type AuthErrorCode } from './errors';
import { scalekitKeySet, type KeySet } from './jwks';

/** Seconds of clock difference allowed on `exp`, `nbf` and `iat`, for every token kind. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Longer tokens are refused before any parsing: Scalekit's are ~1 KB, and cookies cap at 4 KB. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** What sets one kind of Scalekit token apart; everything else is checked the same for all. */
export interface TokenKind {
  /** For messages: "access token", "ID token", "logout token". */
  readonly name: string;
  /** `typ` header values allowed (compared as media types: case-insensitive, `application/` optional); absent is allowed. */
  readonly typ: readonly string[];
  /** Claims that must be present, beyond `iss` and `aud`. */
  readonly requiredClaims: readonly string[];
  /** Refuse tokens issued (`iat`) longer ago than this, e.g. `'5 minutes'`. */
  readonly maxTokenAge?: string;
  /** The code every failure of this kind is reported with (JWKS outages excepted). */
  readonly invalid: AuthErrorCode;
  /**
   * The `aud` it must carry: this app's client id by default; another one (machine callers'
   * tokens); or `'when-present'`: a token without `aud` passes, one with an `aud` must still name
   * this client (IdP-initiated login tokens, whose audience Scalekit does not document).
   */
  readonly audience?: ((config: EdgeConfig) => string | undefined) | 'when-present';
}

export interface VerifiedJwt {
  readonly payload: JWTPayload;
  /**
   * True when the token failed only because `exp` has passed: its signature, `iss`, `aud`, `typ`,
   * `nbf` and required claims all checked out first (jose checks `exp` after those).
   */
  readonly expired: boolean;
}

/**
 * The one verification every Scalekit JWT goes through: RS256 only, a key from the environment's
 * JWKS found by `kid` (no `jku`/`x5u`/`jwk`/`x5c`), `iss` exactly `SCALEKIT_ENV_URL`, `aud`
 * containing this client id, `exp`/`nbf` with {@link CLOCK_TOLERANCE_SECONDS}, and the kind's
 * `typ` rule and required claims. Throws an {@link AuthError}: `jwks_unavailable` when the keys
 * cannot be had, the kind's `invalid` code otherwise. An expired token is returned with
 * `expired: true`, for the caller to decide (an access token is worth a refresh).
 *
 * @example
 * const { payload, expired } = await verifyJwt(token, ACCESS_TOKEN);
 */
export async function verifyJwt(
  token: string,
  kind: TokenKind,
  keySet: KeySet = scalekitKeySet(),
): Promise<VerifiedJwt> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new AuthError(kind.invalid, `${kind.name} is empty or too long`);
  }
  const config = edgeConfig();
  const whenPresent = kind.audience === 'when-present';
  const audience = typeof kind.audience === 'function' ? kind.audience(config) : config.clientId;
  if (audience === undefined) throw new AuthError(kind.invalid, `no audience for ${kind.name}s`);
  try {
    const { payload } = await jwtVerify(
      token,
      (header, jws) => {
        checkTyp(header.typ, kind);
        return keySet(header, jws);
      },
      {
        algorithms: ['RS256'],
        issuer: config.envUrl,
        ...(whenPresent ? {} : { audience }),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: [...kind.requiredClaims],
        ...(kind.maxTokenAge === undefined ? {} : { maxTokenAge: kind.maxTokenAge }),
      },
    );
    if (whenPresent && payload.aud !== undefined) {
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.includes(audience)) {
        throw new AuthError(kind.invalid, `${kind.name} was issued to another audience`);
      }
    }
    return { payload, expired: false };
  } catch (err) {
    // Branch on jose's `code`: class names are minified in the Edge bundle.
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_JWT_EXPIRED' && (err as { claim?: unknown }).claim === 'exp') {
      return { payload: (err as { payload: JWTPayload }).payload, expired: true };
    }
    if (err instanceof AuthError && err.code === 'jwks_unavailable') throw err;
    const message = err instanceof AuthError ? err.message : `${kind.name} failed verification`;
    throw new AuthError(kind.invalid, message, { cause: err });
  }
}

function checkTyp(typ: unknown, kind: TokenKind): void {
  if (typ === undefined) return;
  const mediaType = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : '';
  if (!kind.typ.includes(mediaType)) {
    throw new AuthError(kind.invalid, `${kind.name} has an unexpected "typ" header`);
  }
}
