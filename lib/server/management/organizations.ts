import 'server-only';
import { scalekit } from '../scalekit';
import { managementCall, type ManagementResult } from './call';
import { memberStatus, organizationName, roleNames } from './memberships';

export interface OrganizationChoice {
  readonly id: string;
  readonly name: string;
  /** The person's roles in that organization. */
  readonly roles: readonly string[];
}

/**
 * How long a person's list of organizations is reused: a minute. A membership added or removed
 * elsewhere shows in the switcher within that time (removal ends access sooner: see members.ts).
 */
export const ORGANIZATIONS_CACHE_SECONDS = 60;
const MAX_CACHED_PEOPLE = 1_000;

const cache = new Map<string, { expiresAt: number; organizations: OrganizationChoice[] }>();

/**
 * The organizations a person is an active member of, by name, with their roles there, from
 * `user.getUser` (its memberships carry the organization names). Cached per person in this
 * instance for {@link ORGANIZATIONS_CACHE_SECONDS}; only successful answers are cached.
 *
 * @example
 * const result = await organizationsOf(session.claims.sub);
 * if (result.ok && result.value.length > 1) { … show the switcher … }
 */
export async function organizationsOf(
  userId: string,
): Promise<ManagementResult<readonly OrganizationChoice[]>> {
  const cached = cache.get(userId);
  if (cached && cached.expiresAt > Date.now()) return { ok: true, value: cached.organizations };
  const result = await managementCall('user.getUser', () => scalekit().user.getUser(userId));
  if (!result.ok) return result;
  const organizations = (result.value.user?.memberships ?? [])
    .filter((membership) => memberStatus(membership) === 'active')
    .map((membership) => ({
      id: membership.organizationId,
      name: organizationName(membership),
      roles: roleNames(membership),
    }));
  cache.delete(userId);
  if (cache.size >= MAX_CACHED_PEOPLE) cache.delete(cache.keys().next().value!);
  cache.set(userId, { expiresAt: Date.now() + ORGANIZATIONS_CACHE_SECONDS * 1000, organizations });
  return { ok: true, value: organizations };
}

/** Drops a person's cached organizations (their memberships just changed here). */
export function forgetOrganizationsOf(userId: string): void {
  cache.delete(userId);
}
