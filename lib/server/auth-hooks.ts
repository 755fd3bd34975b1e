import 'server-only';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import type { IdTokenClaims } from './id-token';
import type { WebhookEvent } from './webhook-event';

/** A completed sign-in: every token verified, no cookie set yet. */
export interface SignInEvent {
  /** The new access token's claims: `sub`, `sid`, `oid` (the organization), roles, permissions. */
  readonly claims: AccessTokenClaims;
  /** The verified ID token's profile. */
  readonly user: IdTokenClaims;
  /**
   * When the person last entered credentials (ms since the epoch), kept across an organization
   * switch; undefined when this sign-in cannot prove it (one Scalekit may have completed from its
   * own session without `prompt=login`).
   */
  readonly signedInAt: number | undefined;
}

/** A sign-out about to happen; `claims` is null when the session had no readable access token. */
export interface SignOutEvent {
  readonly claims: AccessTokenClaims | null;
}

export interface AuthHooks {
  /**
   * Runs after the callback verified the tokens and before any cookie is set: provision the user
   * or organization in your database, refuse a sign-in, record an audit event. Throw
   * `new AuthError('access_denied')` to refuse (the person sees `access_denied`); any other error
   * ends the sign-in with `auth_hook_failed`. Either way no cookie is set, so a failing hook
   * never leaves a half-signed-in browser.
   */
  afterSignIn?(event: SignInEvent): void | Promise<void>;
  /** Runs before `POST /logout` clears the session. A failure is logged; sign-out goes on. */
  beforeSignOut?(event: SignOutEvent): void | Promise<void>;
  /**
   * Runs for every verified Scalekit webhook, once per delivery, after the revocations the event
   * calls for: keep your own users, organizations and directory in step. Throwing answers 500
   * (`webhook_hook_failed`), so Scalekit retries; the revocations stay made.
   */
  onWebhook?(event: WebhookEvent): void | Promise<void>;
}

/**
 * The one place for your sign-in and sign-out hooks (none by default).
 *
 * @example
 * export const authHooks: AuthHooks = {
 *   async afterSignIn({ claims, user }) {
 *     await db.users.upsert({ id: claims.sub, email: user.email, organization: claims.oid });
 *   },
 * };
 */
export const authHooks: AuthHooks = {};
