import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const build = fileURLToPath(new URL('../../.next/', import.meta.url));

/** Every source file the production build was made from, as its source maps name them. */
function bundledSources(): string[] {
  const maps = readdirSync(build, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.js.map'),
  );
  const sources = new Set<string>();
  for (const map of maps) {
    const { sources: listed = [], sections = [] } = JSON.parse(
      readFileSync(join(build, map), 'utf8'),
    ) as { sources?: string[]; sections?: Array<{ map: { sources?: string[] } }> };
    for (const source of [...listed, ...sections.flatMap((s) => s.map.sources ?? [])]) {
      sources.add(source);
    }
  }
  return [...sources];
}

describe('the production build', () => {
  const sources = bundledSources();

  it('is made of the app and lib sources (the check reads what it claims to read)', () => {
    expect(sources.some((s) => s.includes('lib/server/session-records.ts'))).toBe(true);
    expect(sources.some((s) => s.includes('app/dashboard/page.tsx'))).toBe(true);
  });

  it('holds no code from test/: not the test kit, not the stand-ins', () => {
    expect(sources.filter((s) => /(^|\/)test\//.test(s))).toEqual([]);
  });
});
