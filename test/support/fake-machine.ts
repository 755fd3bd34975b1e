import type { Machine } from '../tools/prerequisites/locate-binary';

/**
 * A machine described in a test instead of read from this one: only `executables` exist, so each
 * system (Debian CI, a Mac with Homebrew, Ubuntu, Fedora) can be driven without installing or
 * removing anything here.
 *
 * @example
 * ```ts
 * fakeMachine({ platform: 'darwin', PATH: '/usr/bin:/bin', executables: ['/opt/homebrew/bin/redis-server'] });
 * ```
 */
export function fakeMachine(options: {
  platform?: NodeJS.Platform;
  PATH?: string;
  env?: Record<string, string>;
  executables?: string[];
  isRoot?: boolean;
  apt?: Machine['apt'];
}): Machine {
  const executables = new Set(options.executables ?? []);
  return {
    platform: options.platform ?? 'linux',
    env: { PATH: options.PATH ?? DEBIAN_PATH, ...options.env },
    isExecutable: (path) => executables.has(path),
    isRoot: options.isRoot ?? false,
    apt: options.apt,
  };
}

/** Debian's default PATH for root. */
export const DEBIAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
