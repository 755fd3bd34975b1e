import 'server-only';
import { postLogoutUrl } from './env';
import { randomToken } from './login-transaction';
import { scalekit } from './scalekit';

/**
 * Scalekit's end-session URL for a browser: Scalekit finds its own session by its cookie, so this
 * must be a browser redirect. The ID token (when there is one) goes as `id_token_hint`, the
 * registered `<APP_URL>/auth/signed-out` as the post-logout redirect, and a fresh `state`. Used by
 * `/logout` and by the callback when a sign-in lands in a session this app already signed out.
 *
 * @example
 * return NextResponse.redirect(scalekitLogoutUrl(signIn?.idToken), 303);
 */
export function scalekitLogoutUrl(idToken?: string): string {
  return scalekit().getLogoutUrl({
    ...(idToken ? { idTokenHint: idToken } : {}),
    postLogoutRedirectUri: postLogoutUrl(),
    state: randomToken(16),
  });
}
