import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binaryPath, planPrerequisites } from '../tools/prerequisites/prerequisites';
import { fakeMachine } from '../support/fake-machine';

const CLI = fileURLToPath(new URL('../tools/prerequisites/cli.ts', import.meta.url));
const BOTH = ['/usr/bin/redis-server', '/usr/bin/chromium'];

describe('planPrerequisites', () => {
  it('is ready, with both paths, when both are found', () => {
    expect(
      planPrerequisites(fakeMachine({ executables: BOTH, isRoot: true, apt: 'debian' })),
    ).toEqual({
      kind: 'ready',
      paths: { 'redis-server': '/usr/bin/redis-server', chromium: '/usr/bin/chromium' },
    });
  });

  describe('on Debian as root', () => {
    it('plans one apt-get install of everything missing, announced in one line', () => {
      expect(planPrerequisites(fakeMachine({ isRoot: true, apt: 'debian' }))).toEqual({
        kind: 'install',
        packages: ['redis-server', 'chromium'],
        line: 'Missing redis-server and Chromium, which the tests start: installing with `apt-get install -y redis-server chromium` (after apt-get update).',
      });
    });

    it('installs only what is missing', () => {
      const machine = fakeMachine({
        isRoot: true,
        apt: 'debian',
        executables: ['/usr/bin/redis-server'],
      });
      expect(planPrerequisites(machine)).toMatchObject({ kind: 'install', packages: ['chromium'] });
    });

    it('stops at an override that points nowhere instead of installing', () => {
      const machine = fakeMachine({
        isRoot: true,
        apt: 'debian',
        env: { REDIS_SERVER: '/usr/bin/redis' },
        executables: ['/usr/bin/chromium'],
      });
      expect(planPrerequisites(machine)).toEqual({
        kind: 'stop',
        line: 'REDIS_SERVER is set to /usr/bin/redis, which is not an executable file: point it at redis-server or unset it.',
      });
    });
  });

  describe('stops with one line saying how to get what is missing', () => {
    it('on Debian without root: the sudo apt-get command', () => {
      expect(planPrerequisites(fakeMachine({ apt: 'debian' }))).toEqual({
        kind: 'stop',
        line: 'Missing redis-server and Chromium, which the tests start: run `sudo apt-get install redis-server chromium` (or set REDIS_SERVER and CHROME_PATH to their paths).',
      });
      expect(
        planPrerequisites(fakeMachine({ apt: 'debian', executables: ['/usr/bin/redis-server'] })),
      ).toEqual({
        kind: 'stop',
        line: 'Missing Chromium, which the tests start: run `sudo apt-get install chromium` (or set CHROME_PATH to its path).',
      });
    });

    it('on Ubuntu, even as root: Chromium is a snap there, not a deb apt-get could install', () => {
      expect(planPrerequisites(fakeMachine({ apt: 'ubuntu', isRoot: true }))).toEqual({
        kind: 'stop',
        line: 'Missing redis-server and Chromium, which the tests start: run `apt-get install redis-server` and run `snap install chromium` or install Google Chrome (or set REDIS_SERVER and CHROME_PATH to their paths).',
      });
    });

    it('on macOS: Homebrew for Redis, Google Chrome for the browser', () => {
      const mac = { platform: 'darwin', PATH: '/usr/bin:/bin' } as const;
      expect(planPrerequisites(fakeMachine(mac))).toEqual({
        kind: 'stop',
        line: 'Missing redis-server and Chromium, which the tests start: run `brew install redis` and install Google Chrome (or set REDIS_SERVER and CHROME_PATH to their paths).',
      });
      expect(
        planPrerequisites(fakeMachine({ ...mac, executables: ['/opt/homebrew/bin/redis-server'] })),
      ).toEqual({
        kind: 'stop',
        line: 'Missing Chromium, which the tests start: install Google Chrome (or set CHROME_PATH to its path).',
      });
    });

    it('on any other system, as root or not: its own package manager', () => {
      for (const isRoot of [false, true]) {
        expect(
          planPrerequisites(fakeMachine({ isRoot, executables: ['/usr/bin/chromium'] })),
        ).toEqual({
          kind: 'stop',
          line: "Missing redis-server, which the tests start: install Redis with your system's package manager (or set REDIS_SERVER to its path).",
        });
      }
    });
  });
});

describe('binaryPath', () => {
  it('returns the path it finds', () => {
    expect(binaryPath('chromium', fakeMachine({ executables: BOTH }))).toBe('/usr/bin/chromium');
  });

  it('throws the same one-line instruction, without sudo for root', () => {
    expect(() => binaryPath('redis-server', fakeMachine({ apt: 'debian', isRoot: true }))).toThrow(
      new Error(
        'Missing redis-server, which the tests start: run `apt-get install redis-server` (or set REDIS_SERVER to its path).',
      ),
    );
  });
});

describe('the prerequisites step (npm pretest)', () => {
  function runStep(env: Record<string, string>) {
    return spawnSync(process.execPath, ['--import', 'tsx', CLI], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  it('prints nothing and exits 0 when both are there', () => {
    // Any executable file will do: the step only looks, it does not start them.
    const result = runStep({ REDIS_SERVER: process.execPath, CHROME_PATH: process.execPath });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('prints one line to stderr and exits 1 when it cannot fix things itself', () => {
    const result = runStep({ REDIS_SERVER: process.execPath, CHROME_PATH: '/no/such/chrome' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'CHROME_PATH is set to /no/such/chrome, which is not an executable file: point it at Chromium or unset it.\n',
    });
  });
});
