import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe("the stand-in's import of oidc-provider", () => {
  it('drops the Node 20 "Unsupported runtime" line and no other warning', () => {
    // A fresh process: this one imported oidc-provider long ago, through the global issuer.
    const result = spawnSync(
      process.execPath,
      [
        ...['--import', 'tsx', '--input-type=module', '-e'],
        "await import('./test/tools/scalekit-stand-in/provider.ts'); console.warn('a later warning');",
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 20_000 },
    );
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 0,
      stderr: 'a later warning\n',
    });
  });
});
