import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Packages that need Node and must never reach the Edge bundle. */
export const NODE_ONLY_PACKAGES = ['@scalekit-sdk', 'axios', '@connectrpc'];

export interface EdgeBundleReport {
  /** Resolution errors (a `node:` builtin cannot resolve for the Edge, for one). */
  errors: string[];
  /** Node-only packages and `node:` imports found in the bundle. */
  forbidden: string[];
  /** Every module in the bundle, as paths relative to the project. */
  inputs: string[];
  bytes: number;
  gzipBytes: number;
}

/**
 * Bundles an entry the way the Edge runtime resolves modules (browser platform, `edge-light`,
 * `worker` and `browser` conditions; `next` left to the framework) and reports whatever Node-only
 * code reached it. Turbopack builds do not fail on this: the request would 500 at run time.
 */
export async function bundleForEdge(entry: string): Promise<EdgeBundleReport> {
  let metafile: Metafile;
  let output: Uint8Array<ArrayBuffer>;
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['edge-light', 'worker', 'browser'],
      external: ['next', 'next/*'],
      metafile: true,
      logLevel: 'silent',
    });
    metafile = result.metafile;
    output = new Uint8Array(result.outputFiles[0]!.contents);
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string }> }).errors?.map((e) => e.text) ?? [
      String(err),
    ];
    return { errors, forbidden: [], inputs: [], bytes: 0, gzipBytes: 0 };
  }
  const forbidden = new Set<string>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    for (const name of NODE_ONLY_PACKAGES) {
      if (path.includes(`node_modules/${name}/`)) forbidden.add(name);
    }
    for (const imported of input.imports) {
      if (imported.path.startsWith('node:')) forbidden.add(imported.path);
    }
  }
  const gzip = new Response(new Blob([output]).stream().pipeThrough(new CompressionStream('gzip')));
  return {
    errors: [],
    forbidden: [...forbidden],
    inputs: Object.keys(metafile.inputs),
    bytes: output.byteLength,
    gzipBytes: (await gzip.arrayBuffer()).byteLength,
  };
}
