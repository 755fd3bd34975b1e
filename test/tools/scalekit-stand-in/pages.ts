import { TEST_USERS } from './users';

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

/**
 * The hosted login page. Button texts are fixed (`Continue as <email>`, `Deny access`) because
 * browser tests find the buttons by their accessible name.
 */
export function loginPage(action: string): string {
  const choices = Object.entries(TEST_USERS)
    .map(
      ([key, user]) => `        <li>
          <button type="submit" name="user" value="${key}" aria-describedby="user-${key}">Continue as ${escapeHtml(user.email)}</button>
          <p id="user-${key}">${escapeHtml(`${user.givenName} ${user.familyName}, ${user.roles.join(', ')} in ${user.organizationId}`)}</p>
        </li>`,
    )
    .join('\n');
  return page(
    'Sign in',
    `    <h1>Sign in</h1>
    <p>Local Scalekit stand-in: choose a test user.</p>
    <form method="post" action="${escapeHtml(action)}">
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
