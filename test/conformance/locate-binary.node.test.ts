import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locateBinary, thisMachine } from '../tools/prerequisites/locate-binary';
import { fakeMachine } from '../support/fake-machine';

const CHROME_APP = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
const CHROMIUM_APP = '/Applications/Chromium.app/Contents/MacOS/Chromium';
// A Mac shell or GUI app that never ran `brew shellenv`.
const MACOS_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

describe('locateBinary', () => {
  describe('with an env override', () => {
    it('uses REDIS_SERVER / CHROME_PATH over PATH and the usual places', () => {
      const machine = fakeMachine({
        env: { REDIS_SERVER: '/opt/redis/bin/redis-server', CHROME_PATH: '/opt/chrome/chrome' },
        executables: [
          '/opt/redis/bin/redis-server',
          '/opt/chrome/chrome',
          '/usr/bin/redis-server',
          '/usr/bin/chromium',
        ],
      });
      expect(locateBinary('redis-server', machine)).toEqual({
        found: true,
        path: '/opt/redis/bin/redis-server',
        via: 'env',
      });
      expect(locateBinary('chromium', machine)).toEqual({
        found: true,
        path: '/opt/chrome/chrome',
        via: 'env',
      });
    });

    it('reports an override that is not an executable file instead of falling back', () => {
      const machine = fakeMachine({
        env: { CHROME_PATH: '/Applications/Chrome' },
        executables: ['/usr/bin/chromium'],
      });
      expect(locateBinary('chromium', machine)).toEqual({
        found: false,
        override: { variable: 'CHROME_PATH', value: '/Applications/Chrome' },
      });
    });

    it('ignores an empty override', () => {
      const machine = fakeMachine({
        env: { REDIS_SERVER: '' },
        executables: ['/usr/bin/redis-server'],
      });
      expect(locateBinary('redis-server', machine)).toMatchObject({
        path: '/usr/bin/redis-server',
      });
    });
  });

  describe('on PATH', () => {
    it('finds redis-server in the first PATH directory that has it', () => {
      const machine = fakeMachine({
        PATH: '/home/dev/bin:/usr/local/bin:/usr/bin',
        executables: ['/usr/local/bin/redis-server', '/usr/bin/redis-server'],
      });
      expect(locateBinary('redis-server', machine)).toEqual({
        found: true,
        path: '/usr/local/bin/redis-server',
        via: 'PATH',
      });
    });

    it("finds Debian's /usr/bin/chromium on CI even when a Google Chrome comes earlier in PATH", () => {
      const machine = fakeMachine({
        executables: ['/usr/local/bin/google-chrome', '/usr/bin/chromium'],
      });
      expect(locateBinary('chromium', machine)).toMatchObject({
        path: '/usr/bin/chromium',
        via: 'PATH',
      });
    });

    it('tries chromium, chromium-browser, google-chrome, google-chrome-stable in that order', () => {
      const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
      for (const [index, name] of names.entries()) {
        const machine = fakeMachine({
          PATH: '/usr/bin',
          executables: names.slice(index).map((later) => `/usr/bin/${later}`),
        });
        expect(locateBinary('chromium', machine)).toMatchObject({ path: `/usr/bin/${name}` });
      }
    });

    it('does not search the working directory for an empty PATH entry', () => {
      const machine = fakeMachine({
        platform: 'freebsd',
        PATH: ':/nowhere:',
        executables: ['redis-server', '/redis-server'],
      });
      expect(locateBinary('redis-server', machine)).toEqual({ found: false });
    });
  });

  describe('in the usual places', () => {
    it('finds Homebrew redis-server on Apple silicon and Intel Macs without Homebrew on PATH', () => {
      for (const prefix of ['/opt/homebrew', '/usr/local']) {
        const machine = fakeMachine({
          platform: 'darwin',
          PATH: MACOS_PATH,
          executables: [`${prefix}/bin/redis-server`],
        });
        expect(locateBinary('redis-server', machine)).toEqual({
          found: true,
          path: `${prefix}/bin/redis-server`,
          via: 'usual place',
        });
      }
    });

    it('finds Google Chrome.app before Chromium.app on macOS', () => {
      const both = fakeMachine({
        platform: 'darwin',
        PATH: MACOS_PATH,
        executables: [CHROMIUM_APP, CHROME_APP],
      });
      expect(locateBinary('chromium', both)).toMatchObject({
        path: CHROME_APP,
        via: 'usual place',
      });
      const chromiumOnly = fakeMachine({
        platform: 'darwin',
        PATH: MACOS_PATH,
        executables: [CHROMIUM_APP],
      });
      expect(locateBinary('chromium', chromiumOnly)).toMatchObject({ path: CHROMIUM_APP });
    });

    it("finds Debian's and the snap's Chromium on Linux when PATH lacks them", () => {
      const debian = fakeMachine({ PATH: '/nowhere', executables: ['/usr/bin/chromium'] });
      expect(locateBinary('chromium', debian)).toMatchObject({ path: '/usr/bin/chromium' });
      const snap = fakeMachine({ executables: ['/snap/bin/chromium'] });
      expect(locateBinary('chromium', snap)).toMatchObject({
        path: '/snap/bin/chromium',
        via: 'usual place',
      });
    });

    it("looks only in the places of the machine's own platform", () => {
      const linux = fakeMachine({
        PATH: '/nowhere',
        executables: [CHROME_APP, '/opt/homebrew/bin/redis-server'],
      });
      expect(locateBinary('chromium', linux)).toEqual({ found: false });
      expect(locateBinary('redis-server', linux)).toEqual({ found: false });
    });
  });
});

describe('thisMachine', () => {
  const { isExecutable } = thisMachine();

  it('counts an executable file as executable', () => {
    expect(isExecutable(process.execPath)).toBe(true);
  });

  it('does not count a directory or a file without the execute bit', () => {
    expect(isExecutable(dirname(process.execPath))).toBe(false);
    expect(isExecutable(fileURLToPath(import.meta.url))).toBe(false);
    expect(isExecutable('/no/such/file')).toBe(false);
  });
});
