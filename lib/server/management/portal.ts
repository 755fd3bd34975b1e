import 'server-only';
import { scalekit } from '../scalekit';
import { managementCall, type ManagementResult } from './call';

/**
 * A fresh admin-portal link for the organization (`generatePortalLink`), where its IT admin sets
 * up SSO and SCIM. Scalekit's links are single-use and expire after a minute (docs:
 * guides/admin-portal), so one is made per click and never cached or rendered ahead.
 *
 * @example
 * const link = await adminPortalLink(claims.oid);
 * if (link.ok) redirect(link.value);
 */
export async function adminPortalLink(organizationId: string): Promise<ManagementResult<string>> {
  const result = await managementCall('organization.generatePortalLink', () =>
    scalekit().organization.generatePortalLink(organizationId),
  );
  return result.ok ? { ok: true, value: result.value.location } : result;
}
