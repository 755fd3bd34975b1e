import type { Organization, Person } from './users';

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
    ul { list-style: none; padding: 0; }
    li { margin: 0 0 1rem; }
    button { font: inherit; padding: 0.5rem 1rem; cursor: pointer; }
  </style>
</head>
<body>
  <main>
${body}
  </main>
</body>
</html>`;
}

/** An organization a user may sign in to, with their roles there. */
export interface OrganizationChoice {
  id: string;
  name: string;
  roles: readonly string[];
}

export interface LoginPageOptions {
  /** Set when `organization_id` alone routed the sign-in to that organization's SSO connection. */
  organization?: Organization;
  /** The `login_hint` of the authorization request: the matching user's button gets the focus. */
  loginHint?: string;
  /** Every user of the directory, with the value their button sends. */
  choices: Array<{ value: string; user: Person; organizations: OrganizationChoice[] }>;
}

/**
 * The hosted login page. Button texts are fixed (`Continue as <email>`, `Deny access`) because
 * browser tests find the buttons by their accessible name.
 */
export function loginPage(
  action: string,
  { organization, loginHint, choices: users }: LoginPageOptions,
): string {
  const choices = users
    .map(({ value, user, organizations }) => {
      const focus = user.email === loginHint ? ' autofocus' : '';
      const key = escapeHtml(value);
      const name = `${user.givenName} ${user.familyName}`.trim() || user.email;
      return `        <li>
          <button type="submit" name="user" value="${key}" aria-describedby="user-${key}"${focus}>Continue as ${escapeHtml(user.email)}</button>
          <p id="user-${key}">${escapeHtml(`${name}: ${describeMemberships(organizations)}`)}</p>
        </li>`;
    })
    .join('\n');
  const heading = organization ? `Sign in to ${organization.name}` : 'Sign in';
  const context = [
    organization &&
      `    <p>Single sign-on through the SSO connection of ${escapeHtml(organization.name)} (${escapeHtml(organization.id)}).</p>`,
    loginHint && `    <p>Signing in as ${escapeHtml(loginHint)}</p>`,
  ].filter(Boolean);
  return page(
    heading,
    `    <h1>${escapeHtml(heading)}</h1>
    <p>Local Scalekit stand-in: choose a test user.</p>
${context.map((line) => `${line}\n`).join('')}    <form method="post" action="${escapeHtml(action)}">
      <ul>
${choices}
        <li>
          <button type="submit" name="user" value="denied" aria-describedby="user-denied">Deny access</button>
          <p id="user-denied">Refuse the login: the application receives error=access_denied.</p>
        </li>
      </ul>
    </form>`,
  );
}

/**
 * Scalekit's organization switcher (`prompt=select_account`): one button per organization the
 * signed-in user belongs to, named `Continue to <organization name>`.
 */
export function organizationPage(
  action: string,
  user: Person,
  organizations: readonly OrganizationChoice[],
): string {
  const choices = organizations
    .map(({ id: organizationId, name, roles }) => {
      return `        <li>
          <button type="submit" name="organization" value="${escapeHtml(organizationId)}" aria-describedby="org-${escapeHtml(organizationId)}">Continue to ${escapeHtml(name)}</button>
          <p id="org-${escapeHtml(organizationId)}">${escapeHtml(`${organizationId}, your roles: ${roles.join(', ')}`)}</p>
        </li>`;
    })
    .join('\n');
  return page(
    'Choose an organization',
    `    <h1>Choose an organization</h1>
    <p>Signed in as ${escapeHtml(user.email)}</p>
    <form method="post" action="${escapeHtml(action)}">
      <ul>
${choices}
      </ul>
    </form>`,
  );
}

function describeMemberships(organizations: readonly OrganizationChoice[]): string {
  if (organizations.length === 0) return 'no organization';
  return organizations.map(({ name, roles }) => `${roles.join(', ')} in ${name}`).join('; ');
}

/**
 * Replaces oidc-provider's "Do you want to sign out?" page: Scalekit signs out without asking, so
 * the form (which carries the anti-forgery token) submits itself with `logout=yes`.
 */
export function autoSubmitLogoutPage(form: string): string {
  const autoSubmitted = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>',
  );
  return page(
    'Signing out',
    `    <p>Signing out…</p>
    ${autoSubmitted}
    <script>document.forms[0].submit();</script>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '    <h1>Signed out</h1>');
}

export function errorPage(error: string, description: string | undefined): string {
  return page(
    'Sign-in error',
    `    <h1>Sign-in error</h1>
    <p><strong>${escapeHtml(error)}</strong></p>
    <p>${escapeHtml(description ?? '')}</p>`,
  );
}

/** The invitation email's link: who is invited where, and one button to accept. */
export function invitationPage(action: string, email: string, organization: string): string {
  return page(
    `Join ${organization}`,
    `    <h1>Join ${escapeHtml(organization)}</h1>
    <p>${escapeHtml(email)} is invited to ${escapeHtml(organization)}.</p>
    <form method="post" action="${escapeHtml(action)}">
      <button type="submit">Accept invitation</button>
    </form>`,
  );
}

/** Scalekit's hosted password reset, reduced to its end: a button that sets the new password. */
export function passwordResetPage(action: string): string {
  return page(
    'Reset your password',
    `    <h1>Reset your password</h1>
    <p>Local Scalekit stand-in: no password is stored.</p>
    <form method="post" action="${escapeHtml(action)}">
      <button type="submit">Set new password</button>
    </form>`,
  );
}

/** The admin portal an organization's IT admin opens to set up SSO and SCIM (a placeholder). */
export function portalPage(organization: Organization): string {
  return page(
    `Admin portal: ${organization.name}`,
    `    <h1>Admin portal: ${escapeHtml(organization.name)}</h1>
    <p>Set up single sign-on and SCIM provisioning for ${escapeHtml(organization.name)} (${escapeHtml(organization.id)}).</p>
    <p>Local Scalekit stand-in: nothing here can be configured.</p>`,
  );
}
