import { accessSync, constants, readFileSync, statSync } from 'node:fs';

/** The two programs the tests start themselves. */
export type Binary = 'redis-server' | 'chromium';

/** What the lookup reads from the machine, passed in so that every case can be driven in a test. */
export interface Machine {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  isExecutable(path: string): boolean;
  isRoot: boolean;
  /**
   * The apt-based distribution, when apt-get is there: Debian ships Chromium as a deb, Ubuntu only
   * as a snap (its `chromium-browser` deb is a stub that installs the snap).
   */
  apt?: 'debian' | 'ubuntu';
}

/** An env override naming a path that is not an executable file. */
export interface WrongOverride {
  variable: string;
  value: string;
}

export type Location =
  | { found: true; path: string; via: 'env' | 'PATH' | 'usual place' }
  | { found: false; override?: WrongOverride };

interface Lookup {
  /** Set to a path, it wins over everything else. */
  override: string;
  /** Tried in this order, each through the whole PATH before the next. */
  names: string[];
  /** Where installers put it when PATH does not say (a GUI app bundle, a snap, a shell without Homebrew's PATH). */
  places: Partial<Record<NodeJS.Platform, string[]>>;
}

const HOMEBREW = ['/opt/homebrew/bin', '/usr/local/bin'];

const LOOKUPS: Record<Binary, Lookup> = {
  'redis-server': {
    override: 'REDIS_SERVER',
    names: ['redis-server'],
    places: {
      darwin: HOMEBREW.map((dir) => `${dir}/redis-server`),
      linux: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
    },
  },
  chromium: {
    override: 'CHROME_PATH',
    // `chromium` first: on Debian (CI) that is /usr/bin/chromium even when a Google Chrome is
    // installed too.
    names: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
    places: {
      darwin: [
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        '/Applications/Chromium.app/Contents/MacOS/Chromium',
        ...HOMEBREW.map((dir) => `${dir}/chromium`),
      ],
      linux: ['/usr/bin/chromium', '/snap/bin/chromium'],
    },
  },
};

/** The env variable that names `binary` explicitly. */
export function overrideVariable(binary: Binary): string {
  return LOOKUPS[binary].override;
}

/**
 * Finds `binary`: the env override (`REDIS_SERVER`, `CHROME_PATH`), then PATH, then the places
 * Homebrew, macOS apps and Linux packages use.
 *
 * @example
 * ```ts
 * const chromium = locateBinary('chromium', thisMachine());
 * if (chromium.found) console.log(chromium.path); // /usr/bin/chromium on Debian
 * ```
 */
export function locateBinary(binary: Binary, machine: Machine): Location {
  const lookup = LOOKUPS[binary];
  const override = machine.env[lookup.override];
  if (override) {
    // Asked for by name: falling back to another copy would hide the typo.
    return machine.isExecutable(override)
      ? { found: true, path: override, via: 'env' }
      : { found: false, override: { variable: lookup.override, value: override } };
  }

  for (const name of lookup.names) {
    const path = onPath(name, machine);
    if (path) return { found: true, path, via: 'PATH' };
  }

  for (const path of lookup.places[machine.platform] ?? []) {
    if (machine.isExecutable(path)) return { found: true, path, via: 'usual place' };
  }
  return { found: false };
}

/**
 * The machine this process runs on.
 *
 * @example
 * ```ts
 * const redis = locateBinary('redis-server', thisMachine());
 * ```
 */
export function thisMachine(): Machine {
  const machine: Machine = {
    platform: process.platform,
    env: process.env,
    isExecutable,
    isRoot: process.getuid?.() === 0,
  };
  if (process.platform === 'linux' && onPath('apt-get', machine)) {
    machine.apt = /^ID=("?)ubuntu\1$/m.test(readOsRelease()) ? 'ubuntu' : 'debian';
  }
  return machine;
}

/** The first executable `name` in PATH (POSIX: `:`-separated; empty entries skipped). */
function onPath(name: string, machine: Machine): string | undefined {
  for (const dir of (machine.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    const path = `${dir.replace(/\/+$/, '')}/${name}`;
    if (machine.isExecutable(path)) return path;
  }
  return undefined;
}

function readOsRelease(): string {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return '';
  }
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
