import { randomBytes } from 'node:crypto';

/** A random identifier in Scalekit's `<prefix>_<random>` shape (`snk_…`, `ses_…`, `tkn_…`). */
export function scalekitId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
