// CSV export of log pages: RFC 4180 quoting, and cells that a spreadsheet would run as a
// formula (=, +, -, @, tab, carriage return first) prefixed with ' so they stay text.

export type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Gathers every page of a list (up to `max` rows) by following its cursor. */
export async function collectPages<T>(
  load: (after: string | null) => Promise<{ nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }>,
  max: number,
): Promise<{ rows: T[]; truncated: boolean }> {
  const rows: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await load(after);
    rows.push(...page.nodes);
    if (rows.length >= max) return { rows: rows.slice(0, max), truncated: page.pageInfo.hasNextPage || rows.length > max };
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return { rows, truncated: false };
    after = page.pageInfo.endCursor;
  }
}

/** Offers `text` as a file download. */
export function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** At most this many rows go into one export. */
export const EXPORT_MAX_ROWS = 10_000;
