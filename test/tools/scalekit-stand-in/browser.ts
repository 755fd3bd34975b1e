import type { TestUserKey } from './users';

const MAX_STEPS = 12;

interface Cookie {
  name: string;
  value: string;
  path: string;
}

interface Step {
  url: URL;
  body?: URLSearchParams;
}

/**
 * A scripted browser for the issuer's side of a login or logout: it follows redirects and submits
 * the issuer's forms with its own cookie jar, and stops at the first redirect that leaves the
 * issuer, returning that URL without requesting it (the test hands it to the app).
 */
export class IssuerBrowser {
  // Keyed by name and path, as a browser keys cookies for one host.
  readonly #jar = new Map<string, Cookie>();

  /** Runs the hosted login from an authorization URL; resolves to the app's redirect_uri URL. */
  login(authorizeUrl: string, user: TestUserKey): Promise<URL> {
    return this.#browse(new URL(authorizeUrl), user);
  }

  /** Runs an RP-initiated logout from a logout URL; resolves to the post-logout redirect URL. */
  logout(logoutUrl: string): Promise<URL> {
    return this.#browse(new URL(logoutUrl), undefined);
  }

  async #browse(start: URL, user: TestUserKey | undefined): Promise<URL> {
    let step: Step = { url: start };
    for (let count = 0; count < MAX_STEPS; count += 1) {
      const response = await fetch(step.url, {
        method: step.body ? 'POST' : 'GET',
        body: step.body,
        redirect: 'manual',
        headers: { cookie: this.#cookieHeader(step.url) },
      });
      this.#storeCookies(response);

      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, step.url);
        if (next.origin !== start.origin) return next;
        step = { url: next };
        continue;
      }

      const html = await response.text();
      if (response.status !== 200) {
        throw new Error(`issuer answered ${response.status} at ${step.url.pathname}: ${html}`);
      }
      step = submit(html, step.url, user);
    }
    throw new Error(`no redirect out of the issuer after ${MAX_STEPS} steps`);
  }

  #cookieHeader(url: URL): string {
    return [...this.#jar.values()]
      .filter(({ path }) => pathMatches(url.pathname, path))
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
  }

  #storeCookies(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const attribute = (key: string) =>
        attributes.find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attribute('path') ?? '/';
      const expires = attribute('expires');
      const expired =
        value === '' ||
        attribute('max-age') === '0' ||
        (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.#jar.delete(`${name}\n${path}`);
      else this.#jar.set(`${name}\n${path}`, { name, value, path });
    }
  }
}

/**
 * The next request for an issuer page: its first form with the hidden fields, plus the chosen user
 * when the page is the login picker. The logout page's form would submit itself in a real browser.
 */
function submit(html: string, pageUrl: URL, user: TestUserKey | undefined): Step {
  const form = /<form\b[^>]*>[\s\S]*?<\/form>/i.exec(html)?.[0];
  const action = form && attributesOf(/<form\b[^>]*>/i.exec(form)?.[0] ?? '').action;
  if (!form || action === undefined) {
    throw new Error(`expected a form on the issuer page ${pageUrl.pathname}: ${html}`);
  }
  const body = new URLSearchParams();
  for (const [tag] of form.matchAll(/<input\b[^>]*>/gi)) {
    const { type, name, value = '' } = attributesOf(tag);
    if (type === 'hidden' && name) body.append(name, value);
  }
  if (/<button\b[^>]*\bname="user"/i.test(form)) {
    if (!user) throw new Error('the issuer asked for a login during a logout');
    if (!form.includes(`value="${user}"`)) throw new Error(`the login page offers no user ${user}`);
    body.set('user', user);
  }
  return { url: new URL(action, pageUrl), body };
}

function attributesOf(tag: string): Record<string, string | undefined> {
  const attributes: Record<string, string> = {};
  for (const [, name = '', value = ''] of tag.matchAll(/([\w-]+)="([^"]*)"/g)) {
    attributes[name.toLowerCase()] = decodeEntities(value);
  }
  return attributes;
}

function decodeEntities(value: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => entities[entity] ?? '');
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  const prefix = cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`;
  return requestPath.startsWith(prefix);
}
