import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AUTH_ERRORS, AUTH_ERROR_CODES } from '@/lib/edge/errors';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The body rows of the first table after `heading`, as arrays of cell texts. */
function tableAfter(heading: string): string[][] {
  const lines = readme.slice(readme.indexOf(`\n${heading}\n`)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  return lines.slice(start + 2, end).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

describe('the README', () => {
  it('lists every error code a client can see, with its status, and no other', () => {
    const rows = tableAfter('## Error codes');
    const listed = rows.map(([code, status]) => [code?.replaceAll('`', ''), Number(status)]);
    expect(listed).toEqual(AUTH_ERROR_CODES.map((code) => [code, AUTH_ERRORS[code].status]));
  });
});
