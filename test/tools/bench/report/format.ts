/** Number formatting for the report: fixed, readable precision, `n/a` for anything not finite. */

export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Microseconds with a precision that suits their size. */
export function us(value: number): string {
  return num(value, value < 10 ? 2 : value < 100 ? 1 : 0);
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${num(value, value < 0.1 ? 3 : 2)}×` : 'n/a';
}

export function kb(bytes: number): string {
  return `${num(bytes / 1024, 1)} KB`;
}

export function pct(share: number): string {
  return `${num(share * 100, 1)} %`;
}

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) =>
    `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function statuses(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([status, count]) => `${status}×${count}`)
    .join(', ');
}
