import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JWTPayload } from 'jose';
import { PEERS_DIR } from './paths';

/**
 * The peers' own code and dependencies, loaded into the bench's process from their install
 * (support/peer-install.ts), each module the copy its library resolves: iron-session and jose 5
 * nested under authkit-nextjs, @panva/hkdf and jose 6 under nextjs-auth0. Where a package ships a
 * WebCrypto build for the Edge next to a Node build, the Edge build is taken, since the HTTP
 * section runs both libraries in `middleware.ts` on the Edge runtime.
 */
export interface PeerModules {
  iron: {
    sealData(data: unknown, options: { password: string; ttl?: number }): Promise<string>;
    unsealData<T>(seal: string, options: { password: string }): Promise<T>;
  };
  authkitJose: {
    jwtVerify(token: string, keySet: unknown): Promise<{ payload: JWTPayload }>;
    createRemoteJWKSet(url: URL): unknown;
    decodeJwt(token: string): JWTPayload;
  };
  auth0Testing: {
    generateSessionCookie(session: object, config: { secret: string }): Promise<string>;
  };
  auth0Hkdf: (
    digest: 'sha256',
    ikm: string,
    salt: string,
    info: string,
    keylength: number,
  ) => Promise<Uint8Array>;
  auth0Jose: {
    jwtDecrypt(
      jwe: string,
      key: Uint8Array,
      options: { clockTolerance: number },
    ): Promise<{ payload: Record<string, unknown> }>;
    EncryptJWT: new (payload: Record<string, unknown>) => {
      setProtectedHeader(header: { alg: string; enc: string }): {
        setExpirationTime(exp: number): { encrypt(key: Uint8Array): Promise<string> };
      };
    };
  };
  /** Installed versions, for the report. */
  versions: Record<string, string>;
}

export async function loadPeerModules(): Promise<PeerModules> {
  const authkit = packageDir('@workos-inc/authkit-nextjs', PEERS_DIR);
  const auth0 = packageDir('@auth0/nextjs-auth0', PEERS_DIR);
  const load = (dir: string, subpath: string, conditions: string[]) =>
    import(pathToFileURL(join(dir, entryOf(dir, subpath, conditions))).href);
  const web = ['browser', 'import', 'default'];
  const names = [
    ['@workos-inc/authkit-nextjs', authkit],
    ['@auth0/nextjs-auth0', auth0],
    ['@workos-inc/node', packageDir('@workos-inc/node', authkit)],
    ['iron-session', packageDir('iron-session', authkit)],
    ['jose (authkit-nextjs)', packageDir('jose', authkit)],
    ['jose (nextjs-auth0)', packageDir('jose', auth0)],
    ['@panva/hkdf', packageDir('@panva/hkdf', auth0)],
  ] as const;
  return {
    iron: (await load(packageDir('iron-session', authkit), '.', web)) as PeerModules['iron'],
    authkitJose: (await load(packageDir('jose', authkit), '.', web)) as PeerModules['authkitJose'],
    auth0Testing: (await load(auth0, './testing', web)) as PeerModules['auth0Testing'],
    auth0Hkdf: (
      (await load(packageDir('@panva/hkdf', auth0), '.', web)) as { hkdf: PeerModules['auth0Hkdf'] }
    ).hkdf,
    auth0Jose: (await load(packageDir('jose', auth0), '.', web)) as PeerModules['auth0Jose'],
    versions: Object.fromEntries(names.map(([name, dir]) => [name, readManifest(dir).version])),
  };
}

interface Manifest {
  version: string;
  exports?: string | Record<string, unknown>;
  main?: string;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: `node_modules/<name>` in `from` and each directory above it. */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed under ${from}`);
  }
}

/** The file `subpath` of the package's `exports` names for the first matching condition. */
function entryOf(dir: string, subpath: string, conditions: string[]): string {
  const { exports, main } = readManifest(dir);
  let target: unknown =
    typeof exports === 'string' || exports === undefined ? exports : exports[subpath];
  if (target === undefined && subpath === '.') {
    const top = exports as Record<string, unknown> | undefined;
    target = top && !Object.keys(top).some((key) => key.startsWith('.')) ? top : main;
  }
  while (target && typeof target === 'object') {
    const branches = target as Record<string, unknown>;
    const condition = conditions.find((name) => name in branches);
    if (!condition) throw new Error(`${dir}: no ${conditions.join('/')} export for ${subpath}`);
    target = branches[condition];
  }
  if (typeof target !== 'string') throw new Error(`${dir}: no export ${subpath}`);
  return target;
}
