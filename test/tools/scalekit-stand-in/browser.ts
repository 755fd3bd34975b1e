import type { TestUserKey } from './users';

/** A login page button's value: a seeded user's key, or the id of a user added since. */
export type LoginChoice = TestUserKey | `usr_${string}`;

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

export interface LoginOptions {
  /**
   * The organization id to choose on the stand-in's organization picker. Required when the picker
   * appears, and the picker must appear when it is given.
   */
  organization?: string;
}

/** An HTML page of the stand-in, as the browser rendered it. */
export interface IssuerPage {
  /** Its `<title>`: `Sign in` or `Sign in to <organization>`, `Choose an organization`, … */
  title: string;
  url: URL;
  html: string;
}

/** What a run through the issuer may answer on its pages. */
interface Choices extends LoginOptions {
  /** The user for the login page; undefined: the login page must not appear. */
  user?: LoginChoice;
  /** What is being run, for error messages. */
  purpose: string;
}

/**
 * A scripted browser for the issuer's side of a login or logout: it follows redirects and submits
 * the issuer's forms with its own cookie jar, and stops at the first redirect that leaves the
 * issuer, returning that URL without requesting it (the test hands it to the app). The cookie jar
 * lasts as long as the instance, so the issuer session does too.
 *
 * @example
 * const browser = new IssuerBrowser();
 * await browser.login(authorizeUrl, 'multi', { organization: GLOBEX_ORG_ID });
 * // Later, prompt=select_account on the same session: straight to the picker.
 * const callback = await browser.continueSession(switchUrl, { organization: ACME_ORG_ID });
 * browser.pages.map((page) => page.title); // ['Choose an organization']
 */
export class IssuerBrowser {
  // Keyed by name and path, as a browser keys cookies for one host.
  readonly #jar = new Map<string, Cookie>();
  #pages: IssuerPage[] = [];

  /** The pages the last login, continueSession or logout rendered, in order. */
  get pages(): readonly IssuerPage[] {
    return this.#pages;
  }

  /**
   * Runs the hosted login from an authorization URL; resolves to the app's redirect_uri URL.
   * `user` answers the login page, if it appears (a live issuer session skips it).
   */
  login(authorizeUrl: string, user: LoginChoice, options: LoginOptions = {}): Promise<URL> {
    return this.#browse(new URL(authorizeUrl), { ...options, user, purpose: 'a login' });
  }

  /**
   * Runs an authorization on the issuer session this browser already has, through the
   * organization picker if it appears; rejects if the issuer asks who is signing in.
   */
  continueSession(authorizeUrl: string, options: LoginOptions = {}): Promise<URL> {
    return this.#browse(new URL(authorizeUrl), { ...options, purpose: 'an existing session' });
  }

  /** Runs an RP-initiated logout from a logout URL; resolves to the post-logout redirect URL. */
  logout(logoutUrl: string): Promise<URL> {
    return this.#browse(new URL(logoutUrl), { purpose: 'a logout' });
  }

  async #browse(start: URL, choices: Choices): Promise<URL> {
    this.#pages = [];
    let organizationChosen = false;
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
        if (next.origin === start.origin) {
          step = { url: next };
          continue;
        }
        if (choices.organization !== undefined && !organizationChosen) {
          throw new Error(`the issuer showed no organization picker during ${choices.purpose}`);
        }
        return next;
      }

      const html = await response.text();
      if (response.status !== 200) {
        throw new Error(`issuer answered ${response.status} at ${step.url.pathname}: ${html}`);
      }
      this.#pages.push({ title: titleOf(html), url: step.url, html });
      const form = formOf(html, step.url);
      organizationChosen ||= form.kind === 'organization';
      step = form.submit(choices);
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
 * The first form of an issuer page: the login page (buttons named `user`), the organization
 * picker (buttons named `organization`), or another form (the logout and account-switch pages,
 * which would submit themselves in a real browser).
 */
function formOf(html: string, pageUrl: URL) {
  const form = /<form\b[^>]*>[\s\S]*?<\/form>/i.exec(html)?.[0] ?? '';
  const { action } = attributesOf(/<form\b[^>]*>/i.exec(form)?.[0] ?? '');
  if (action === undefined) {
    throw new Error(`expected a form on the issuer page ${pageUrl.pathname}: ${html}`);
  }
  const target = new URL(action, pageUrl);
  const buttons = [...form.matchAll(/<button\b[^>]*>/gi)].map(([tag]) => attributesOf(tag));
  const offered = (name: string) =>
    buttons.filter((button) => button.name === name).map((button) => button.value ?? '');
  const users = offered('user');
  const organizations = offered('organization');
  const kind = users.length > 0 ? 'login' : organizations.length > 0 ? 'organization' : 'other';

  /** The next request: the form's hidden fields plus the button this run chooses. */
  function submit(choices: Choices): Step {
    const body = new URLSearchParams();
    for (const [tag] of form.matchAll(/<input\b[^>]*>/gi)) {
      const { type, name, value = '' } = attributesOf(tag);
      if (type === 'hidden' && name) body.append(name, value);
    }
    if (kind === 'login') {
      const { user } = choices;
      if (!user) throw new Error(`the issuer asked who signs in during ${choices.purpose}`);
      if (!users.includes(user)) throw new Error(`the login page offers no user ${user}`);
      body.set('user', user);
    }
    if (kind === 'organization') {
      const { organization } = choices;
      if (organization === undefined) {
        throw new Error(`the issuer asks to choose an organization (${organizations.join(', ')})`);
      }
      if (!organizations.includes(organization)) {
        throw new Error(`the organization picker offers no ${organization}`);
      }
      body.set('organization', organization);
    }
    return { url: target, body };
  }

  return { kind, submit };
}

function titleOf(html: string): string {
  return decodeEntities(/<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? '');
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
