import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { digest, isCurrent, readFileSet, stamp, writeTree, type FileSet } from './build-inputs';
import { nextBuild } from './next-build';
import { PEERS_DIR, PEERS_SOURCE_DIR, ROOT } from './paths';

/** The builds of the peer benchmark's app (test/tools/bench/peers/app), one per middleware. */
export type BuildId = 'none' | 'noop' | 'edge' | 'everywhere' | 'proxy' | 'authkit' | 'auth0';

export interface PeerBuild {
  id: BuildId;
  /** What this build runs in front of the app, for the report. */
  label: string;
}

export const PEER_BUILDS: readonly PeerBuild[] = [
  { id: 'none', label: 'no middleware' },
  { id: 'noop', label: '`middleware.ts` returning `NextResponse.next()`, same matcher' },
  { id: 'edge', label: "this project's `middleware.ts` (Edge), as it is" },
  {
    id: 'everywhere',
    label:
      "this project's `middleware.ts` with the old matcher (every path but assets and `/api/health`)",
  },
  { id: 'proxy', label: "this project's `middleware.ts` renamed to `proxy.ts` (Node)" },
  {
    id: 'authkit',
    label: '`authkitMiddleware({ middlewareAuth: { enabled: true } })` (`middleware.ts`, Edge)',
  },
  {
    id: 'auth0',
    label:
      '`auth0.middleware(request)` + `auth0.getSession(request)`, as its EXAMPLES.md protects routes (`middleware.ts`, Edge)',
  },
];

/** The matcher the product had before public paths left the middleware. */
export const OLD_MATCHER = "'/((?!_next/static|_next/image|favicon.ico|robots.txt|api/health$).*)'";

export const PEERS_NEXT_BIN = join(PEERS_DIR, 'node_modules/next/dist/bin/next');
/** The one source directory every variant is built in, so Turbopack's cache serves them all. */
const SOURCE_DIR = join(PEERS_DIR, 'src');

/** Where a variant's build is served from (`next start` in this directory). */
export function servedDir(id: BuildId): string {
  return join(PEERS_DIR, 'apps', id);
}

/**
 * Builds every variant whose inputs (the shared app, its own middleware and, for this project's,
 * lib/edge; the peers' lockfile) changed since its last build. Builds run one after another in
 * one source directory, each writing only its middleware over the shared app, so all but the
 * first reuse Turbopack's cache; each finished `.next` (without the cache) is copied to its own
 * directory to be served from, as a deployment of `.next` is.
 */
export async function buildPeerVariants(
  log: (message: string) => void,
): Promise<Array<{ id: BuildId; skipped: boolean; ms: number }>> {
  const shared = await readFileSet(PEERS_SOURCE_DIR, ['app', 'next.config.ts']);
  for (const [path, content] of await readFileSet(ROOT, ['tsconfig.json'])) {
    shared.set(path, content);
  }
  const lock = await readFileSet(PEERS_SOURCE_DIR, ['package-lock.json']);
  const results = [];
  for (const build of PEER_BUILDS) {
    const files: FileSet = new Map([...shared, ...(await ownFiles(build.id))]);
    const inputs = digest(files, digest(lock));
    const dir = servedDir(build.id);
    if (await isCurrent(dir, inputs, '.next/BUILD_ID')) {
      results.push({ id: build.id, skipped: true, ms: 0 });
      continue;
    }
    log(`next build of the peer app: ${build.id}`);
    await writeTree(SOURCE_DIR, files);
    const ms = await nextBuild(`next build (${build.id})`, PEERS_NEXT_BIN, SOURCE_DIR);
    await rm(dir, { recursive: true, force: true });
    const cache = join(SOURCE_DIR, '.next', 'cache');
    await cp(join(SOURCE_DIR, '.next'), join(dir, '.next'), {
      recursive: true,
      filter: (source) => source !== cache,
    });
    await cp(join(SOURCE_DIR, 'next.config.ts'), join(dir, 'next.config.ts'));
    await stamp(dir, inputs);
    results.push({ id: build.id, skipped: false, ms });
  }
  return results;
}

/** The files a variant adds to the shared app: its middleware (and what that imports). */
async function ownFiles(id: BuildId): Promise<FileSet> {
  const product = await readFile(join(ROOT, 'middleware.ts'), 'utf8');
  const matcher = productMatcher(product);
  const withLib = async (file: string, text: string): Promise<FileSet> =>
    new Map([...(await readFileSet(ROOT, ['lib/edge'])), [file, text]]);
  switch (id) {
    case 'none':
      return new Map();
    case 'noop':
      return new Map([['middleware.ts', noopMiddleware(matcher)]]);
    case 'edge':
      return withLib('middleware.ts', product);
    case 'everywhere':
      return withLib('middleware.ts', product.replace(matcher, `[${OLD_MATCHER}]`));
    case 'proxy':
      return withLib('proxy.ts', product);
    case 'authkit':
      return new Map([['middleware.ts', authkitMiddleware(matcher)]]);
    case 'auth0':
      return new Map([['middleware.ts', auth0Middleware(matcher)]]);
  }
}

/** The product's matcher array, the one declaration every variant uses. */
function productMatcher(middleware: string): string {
  const found = [...middleware.matchAll(/matcher: (\[[^\]]*\])/g)];
  if (found.length !== 1) {
    throw new Error(
      'middleware.ts: expected exactly one `matcher: [...]`; update test/tools/bench/support/peer-builds.ts',
    );
  }
  return found[0]![1]!;
}

function noopMiddleware(matcher: string): string {
  return `import { NextResponse } from 'next/server';

export default function middleware() {
  return NextResponse.next();
}

export const config = { matcher: ${matcher} };
`;
}

/** authkit-nextjs 4: without \`middlewareAuth\` it only reads sessions and never redirects. */
function authkitMiddleware(matcher: string): string {
  return `import { authkitMiddleware } from '@workos-inc/authkit-nextjs';

export default authkitMiddleware({
  redirectUri: \`\${process.env.APP_URL}/callback\`,
  middlewareAuth: { enabled: true, unauthenticatedPaths: [] },
});

export const config = { matcher: ${matcher} };
`;
}

/** nextjs-auth0 4: \`auth0.middleware\` alone passes every request on; EXAMPLES.md adds this check. */
function auth0Middleware(matcher: string): string {
  return `import { Auth0Client } from '@auth0/nextjs-auth0/server';
import { NextResponse, type NextRequest } from 'next/server';

const auth0 = new Auth0Client({ appBaseUrl: process.env.APP_URL });

export default async function middleware(request: NextRequest) {
  const authRes = await auth0.middleware(request);
  if (request.nextUrl.pathname.startsWith('/auth')) return authRes;
  const session = await auth0.getSession(request);
  if (!session) {
    const loginUrl = new URL('/auth/login', request.nextUrl.origin);
    loginUrl.searchParams.set('returnTo', request.nextUrl.pathname + request.nextUrl.search);
    return NextResponse.redirect(loginUrl);
  }
  return authRes;
}

export const config = { matcher: ${matcher} };
`;
}
