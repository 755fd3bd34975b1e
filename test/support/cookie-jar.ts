/** One cookie as the browser holds it, with the attributes the tests assert. */
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string | undefined;
  maxAge: number | undefined;
}

/** Parses one Set-Cookie header value. */
export function parseSetCookie(header: string): StoredCookie {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const cookie: StoredCookie = {
    name: pair.slice(0, eq),
    value: decodeURIComponent(pair.slice(eq + 1)),
    path: '/',
    httpOnly: false,
    secure: false,
    sameSite: undefined,
    maxAge: undefined,
  };
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=');
    switch (key.toLowerCase()) {
      case 'path':
        cookie.path = value;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'samesite':
        cookie.sameSite = value.toLowerCase();
        break;
      case 'max-age':
        cookie.maxAge = Number(value);
        break;
      case 'expires':
        if (Date.parse(value) <= Date.now()) cookie.maxAge ??= 0;
        break;
    }
  }
  return cookie;
}

/** A single-host cookie jar that honours Path and deletion, like a browser for one origin. */
export class CookieJar {
  readonly cookies = new Map<string, StoredCookie>();

  /** Applies a response's Set-Cookie headers; returns what was set or deleted. */
  store(response: Response): StoredCookie[] {
    const set = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of set) {
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.maxAge !== undefined && cookie.maxAge <= 0) this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
    return set;
  }

  /** The Cookie header a browser would send to `path`. */
  header(path: string): string {
    return [...this.cookies.values()]
      .filter(
        (c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  get(name: string): StoredCookie | undefined {
    return [...this.cookies.values()].find((c) => c.name === name);
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [key, cookie] of this.cookies) copy.cookies.set(key, { ...cookie });
    return copy;
  }
}
