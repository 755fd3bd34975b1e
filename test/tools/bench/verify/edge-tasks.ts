import { compactDecrypt, jwtVerify } from 'jose';
import { verifyAccessToken } from '../../../../lib/edge/access-token';
import { edgeConfig } from '../../../../lib/edge/config';
import { unseal } from '../../../../lib/edge/seal';
import { readAccessSession } from '../../../../lib/edge/session';
import { cookieName, type CookieSource } from '../../../../lib/edge/session-cookies';
import { prepareFloor, type FloorInputs } from './floor';
import {
  measureInterleaved,
  poolReader,
  type MeasureOptions,
  type OpStat,
  type Task,
} from './measure';

/** The measurements, in the order they run. `part` rows break b down; they are not targets. */
export const EDGE_TASKS = [
  'a',
  'b',
  'b′',
  'a.decrypt',
  'jose.decrypt',
  'b.unseal',
  'a.verify',
  'jose.verify',
  'b.verify',
] as const;
export type EdgeTask = (typeof EDGE_TASKS)[number];

/** Everything the Edge-side measurements need; plain data, so it crosses into the EdgeVM as JSON. */
export interface EdgeTaskInput extends FloorInputs {
  /** Distinct seals of the same token: each first-sight iteration takes a cookie never seen. */
  firstSightPool: string[];
  /** Prefixed to every id, e.g. `vm-` inside the EdgeVM. */
  idPrefix: string;
  runs: Record<EdgeTask, MeasureOptions>;
  /** Interleaved rounds (see measureInterleaved). */
  rounds: number;
}

/**
 * Times, through the real lib/edge modules with the configuration in `process.env`:
 * (a) the floor, (b) this project's first sight of a cookie, (b′) the same cookie again, and b's
 * halves next to the floor's halves and to bare jose with the same keys. The key set is warmed
 * by one read first, as it is in any isolate that has served a request. `extra` tasks (the seed's
 * SDK path, in Node) are interleaved with these.
 */
export async function runEdgeTasks(input: EdgeTaskInput, extra: Task[] = []): Promise<OpStat[]> {
  const config = edgeConfig();
  const name = cookieName('access', config);
  const jar = (value: string): CookieSource => ({
    get: (cookie) => (cookie === name ? { value } : undefined),
  });
  const known = jar(input.sealed);
  if ((await readAccessSession(known)) === null) throw new Error('the bench cookie does not open');
  const floor = await prepareFloor(input);
  const nextCookie = poolReader(input.firstSightPool);
  const session = async (cookies: CookieSource) => {
    if ((await readAccessSession(cookies)) === null) throw new Error('no session');
  };
  const joseVerifyOptions = {
    algorithms: ['RS256'],
    issuer: config.envUrl,
    audience: config.clientId,
    clockTolerance: 5,
    requiredClaims: ['exp', 'iat', 'sub'],
  };

  const ops: Record<EdgeTask, [string, () => Promise<unknown>]> = {
    a: ['floor: 1 RS256 verify + 1 AES-GCM decrypt (raw WebCrypto)', floor.both],
    b: ['first sight: readAccessSession, a new cookie each time', () => session(jar(nextCookie()))],
    'b′': ['seen before: readAccessSession, the same cookie', () => session(known)],
    'a.decrypt': ['part of a: AES-GCM decrypt (raw WebCrypto)', floor.decrypt],
    'jose.decrypt': [
      'jose compactDecrypt, same key',
      () => compactDecrypt(input.sealed, floor.aesKey, { keyManagementAlgorithms: ['dir'] }),
    ],
    'b.unseal': [
      'part of b: unseal()',
      () => unseal(input.sealed, 'access', config.sessionSecrets),
    ],
    'a.verify': ['part of a: RS256 verify (raw WebCrypto)', floor.verify],
    'jose.verify': [
      'jose jwtVerify, same key, same checks',
      () => jwtVerify(input.token, floor.rsaKey, joseVerifyOptions),
    ],
    'b.verify': ['part of b: verifyAccessToken() (key set)', () => verifyAccessToken(input.token)],
  };
  const tasks: Task[] = EDGE_TASKS.map((task) => ({
    id: `${input.idPrefix}${task}`,
    label: ops[task][0],
    op: ops[task][1],
    runs: input.runs[task],
  }));
  return measureInterleaved([...tasks, ...extra], input.rounds);
}
