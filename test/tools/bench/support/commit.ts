import { execFileSync } from 'node:child_process';
import { ROOT } from './paths';

/** The commit a run measured, and whether the tree had changes on top of it. */
export interface CommitInfo {
  sha: string;
  /** Uncommitted changes (tracked or not), the generated report files aside. */
  dirty: boolean;
}

export function describeCommit(): CommitInfo {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const status = git(
    'status',
    '--porcelain',
    '--',
    '.',
    ':!test/tools/bench/REPORT.md',
    ':!test/tools/bench/REPORT.json',
    ':!test/tools/bench/SOAK.md',
  );
  return { sha: git('rev-parse', 'HEAD').trim(), dirty: status.trim() !== '' };
}

/** `abc1234…` or `abc1234… with uncommitted changes`. */
export function commitLabel(commit: CommitInfo): string {
  return `\`${commit.sha}\`${commit.dirty ? ' with uncommitted changes' : ''}`;
}
