import { getURLFromRedirectError } from 'next/dist/client/components/redirect';
import { isRedirectError } from 'next/dist/client/components/redirect-error';
import { describe, expect, it } from 'vitest';
import { AuthError } from '@/lib/edge/errors';
import { organizationSwitchUrl, switchOrganization } from '@/lib/server/organizations';

describe('organizationSwitchUrl', () => {
  it("sends a switch without an id to Scalekit's organization switcher", () => {
    expect(organizationSwitchUrl(undefined, '/dashboard?tab=2')).toBe(
      '/login?prompt=select_account&returnTo=%2Fdashboard%3Ftab%3D2',
    );
  });

  it('goes straight into the organization given', () => {
    expect(organizationSwitchUrl('org_globex0001', '/dashboard')).toBe(
      '/login?prompt=select_account&organization_id=org_globex0001&returnTo=%2Fdashboard',
    );
  });

  it.each(['globex', 'org_', 'org_a b', 'org_x&prompt=none'])(
    'refuses the malformed id %s with invalid_request',
    (id) => {
      expect(() => organizationSwitchUrl(id)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }) as AuthError,
      );
    },
  );

  it('comes back only to a path of this app', () => {
    expect(organizationSwitchUrl(undefined, 'https://evil.example/')).toBe(
      '/login?prompt=select_account&returnTo=%2Fdashboard',
    );
  });
});

describe('switchOrganization', () => {
  it("redirects with Next's redirect(), which a Server Action and a Route Handler both answer", () => {
    let thrown: unknown;
    try {
      switchOrganization('org_acme0001', { returnTo: '/dashboard' });
    } catch (err) {
      thrown = err;
    }
    expect(isRedirectError(thrown)).toBe(true);
    expect(getURLFromRedirectError(thrown as never)).toBe(
      '/login?prompt=select_account&organization_id=org_acme0001&returnTo=%2Fdashboard',
    );
  });
});
