import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleForEdge } from '../../../support/edge-bundle';
import { COPY_DIR } from '../support/app-copy';
import { packageOf } from '../support/cpu-profile';
import { readMappedFile } from '../support/source-map';

export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleResult {
  /** What `next build` ships for the middleware: the files of `middleware-manifest.json`. */
  build: {
    files: BundleFile[];
    bytes: number;
    /** Sum of each file gzipped on its own. */
    gzipBytes: number;
    /** Raw bytes per package, from the files' source maps; gzip shares are proportional. */
    byPackage: Array<{ name: string; bytes: number; share: number; gzipBytesApprox: number }>;
  };
  /** test/support/edge-bundle.ts: lib/edge + middleware.ts with esbuild, `next` left external. */
  esbuild: { bytes: number; gzipBytes: number; forbidden: string[]; errors: string[] };
}

/** Section 6: the middleware's size as built (raw and gzip), and where the bytes come from. */
export async function measureBundle(): Promise<BundleResult> {
  const serverDir = join(COPY_DIR, '.next/server');
  const manifest = JSON.parse(
    readFileSync(join(serverDir, 'middleware-manifest.json'), 'utf8'),
  ) as {
    middleware: Record<string, { files: string[] }>;
  };
  const names = [...new Set(Object.values(manifest.middleware).flatMap((entry) => entry.files))];
  const files = names.map((name) => {
    const bytes = readFileSync(join(COPY_DIR, '.next', name));
    return { file: name, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes).byteLength };
  });
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const gzipBytes = files.reduce((sum, f) => sum + f.gzipBytes, 0);

  const perPackage = new Map<string, number>();
  for (const { file } of files) {
    const path = join(COPY_DIR, '.next', file);
    if (!existsSync(`${path}.map`)) {
      perPackage.set(
        '(no source map)',
        (perPackage.get('(no source map)') ?? 0) + readFileSync(path).byteLength,
      );
      continue;
    }
    for (const [source, size] of readMappedFile(path).bytesBySource) {
      const name = source === '(unmapped)' ? source : packageOf(source);
      perPackage.set(name, (perPackage.get(name) ?? 0) + size);
    }
  }
  const mapped = [...perPackage.values()].reduce((sum, size) => sum + size, 0);
  const byPackage = [...perPackage]
    .sort((a, b) => b[1] - a[1])
    .map(([name, size]) => ({
      name,
      bytes: size,
      share: size / mapped,
      gzipBytesApprox: Math.round((size / mapped) * gzipBytes),
    }));

  const esbuild = await bundleForEdge('middleware.ts');
  return {
    build: { files, bytes, gzipBytes, byPackage },
    esbuild: {
      bytes: esbuild.bytes,
      gzipBytes: esbuild.gzipBytes,
      forbidden: esbuild.forbidden,
      errors: esbuild.errors,
    },
  };
}
