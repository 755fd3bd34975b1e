import {
  locateBinary,
  overrideVariable,
  thisMachine,
  type Binary,
  type Machine,
  type WrongOverride,
} from './locate-binary';

const BINARIES: readonly Binary[] = ['redis-server', 'chromium'];

const LABELS: Record<Binary, string> = { 'redis-server': 'redis-server', chromium: 'Chromium' };

export type Plan =
  | { kind: 'ready'; paths: Record<Binary, string> }
  /** Debian as root: `apt-get update`, then `apt-get install -y <packages>`, announced by `line`. */
  | { kind: 'install'; packages: Binary[]; line: string }
  /** Nothing this step may do itself: `line` says what the person has to do. */
  | { kind: 'stop'; line: string };

/**
 * What stands between this machine and a test run: nothing, an apt-get install this step can do
 * (Debian, as root), or one line telling the person how to get what is missing on their system.
 *
 * @example
 * ```ts
 * const plan = planPrerequisites(thisMachine());
 * if (plan.kind === 'stop') throw new Error(plan.line);
 * ```
 */
export function planPrerequisites(machine: Machine): Plan {
  const found: Partial<Record<Binary, string>> = {};
  const missing: Binary[] = [];
  for (const binary of BINARIES) {
    const location = locateBinary(binary, machine);
    if (location.found) {
      found[binary] = location.path;
      continue;
    }
    // An override that points nowhere is a typo to fix, not something to install.
    if (location.override)
      return { kind: 'stop', line: wrongOverrideLine(binary, location.override) };
    missing.push(binary);
  }
  if (missing.length === 0) return { kind: 'ready', paths: found as Record<Binary, string> };

  if (machine.isRoot && machine.apt === 'debian') {
    return {
      kind: 'install',
      // Debian's package names are the binaries' names.
      packages: missing,
      line: `${missingNames(missing)}: installing with \`apt-get install -y ${missing.join(' ')}\` (after apt-get update).`,
    };
  }
  return { kind: 'stop', line: howToGet(missing, machine) };
}

/**
 * The path of `binary` on this machine, for the code that starts it; when it is missing, throws
 * the same one-line instruction the prerequisites step prints.
 *
 * @example
 * ```ts
 * spawn(binaryPath('redis-server'), ['--port', '0']);
 * ```
 */
export function binaryPath(binary: Binary, machine: Machine = thisMachine()): string {
  const location = locateBinary(binary, machine);
  if (location.found) return location.path;
  throw new Error(
    location.override ? wrongOverrideLine(binary, location.override) : howToGet([binary], machine),
  );
}

function wrongOverrideLine(binary: Binary, { variable, value }: WrongOverride): string {
  return `${variable} is set to ${value}, which is not an executable file: point it at ${LABELS[binary]} or unset it.`;
}

function missingNames(missing: Binary[]): string {
  return `Missing ${missing.map((binary) => LABELS[binary]).join(' and ')}, which the tests start`;
}

function howToGet(missing: Binary[], machine: Machine): string {
  const variables = missing.map(overrideVariable).join(' and ');
  const paths = missing.length === 1 ? 'its path' : 'their paths';
  return `${missingNames(missing)}: ${steps(missing, machine).join(' and ')} (or set ${variables} to ${paths}).`;
}

function steps(missing: Binary[], machine: Machine): string[] {
  const sudo = machine.isRoot ? '' : 'sudo ';
  if (machine.platform === 'darwin') {
    return missing.map((binary) =>
      binary === 'redis-server' ? 'run `brew install redis`' : 'install Google Chrome',
    );
  }
  if (machine.apt === 'debian') return [`run \`${sudo}apt-get install ${missing.join(' ')}\``];
  if (machine.apt === 'ubuntu') {
    return missing.map((binary) =>
      binary === 'redis-server'
        ? `run \`${sudo}apt-get install redis-server\``
        : `run \`${sudo}snap install chromium\` or install Google Chrome`,
    );
  }
  return missing.map((binary) =>
    binary === 'redis-server'
      ? "install Redis with your system's package manager"
      : 'install Chromium or Google Chrome',
  );
}
