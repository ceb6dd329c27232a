import { describe, expect, test } from 'vitest';
import { actionName, changeRows, targetName } from '../src/lib/audit';
import { collectPages, csvCell, toCsv } from '../src/lib/csv';
import { reasonLabel } from '../src/pages/SignInLog';

describe('CSV export', () => {
  test('cells are quoted when needed and never run as formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(false)).toBe('false');
    expect(toCsv(['a', 'b'], [['1', null]])).toBe('a,b\r\n1,\r\n');
  });

  test('every page is gathered, up to the limit', async () => {
    const pages: Record<string, { nodes: number[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> = {
      start: { nodes: [1, 2], pageInfo: { hasNextPage: true, endCursor: 'p2' } },
      p2: { nodes: [3, 4], pageInfo: { hasNextPage: true, endCursor: 'p3' } },
      p3: { nodes: [5], pageInfo: { hasNextPage: false, endCursor: null } },
    };
    const asked: (string | null)[] = [];
    const load = async (after: string | null) => {
      asked.push(after);
      return pages[after ?? 'start'];
    };
    expect(await collectPages(load, 100)).toEqual({ rows: [1, 2, 3, 4, 5], truncated: false });
    expect(asked).toEqual([null, 'p2', 'p3']);
    expect(await collectPages(load, 3)).toEqual({ rows: [1, 2, 3], truncated: true });
  });
});

describe('audit log words', () => {
  test('actions read as plain words; unknown ones as their code', () => {
    expect(actionName('user.suspend')).toBe('Suspended a user');
    expect(actionName('sso_connection.update')).toBe('Changed the SSO settings');
    expect(actionName('something.new')).toBe('something.new');
  });

  test("the target is named by what the entry recorded, not its UUID", () => {
    expect(targetName(null, { email: 'bob@contoso.com', id: 'x' })).toBe('bob@contoso.com');
    expect(targetName({ displayName: 'Sales' }, null)).toBe('Sales');
    expect(targetName({ subject: 'CN=Entra' }, { subject: 'CN=Entra' })).toBe('CN=Entra');
    expect(targetName({ enabled: true }, { enabled: false })).toBeNull();
    expect(targetName(null, null)).toBeNull();
  });

  test('changed fields come first, unchanged ones are marked', () => {
    const rows = changeRows({ a: 1, b: { c: 'x' }, d: 'same' }, { a: 2, b: { c: 'x' }, d: 'same', e: true });
    expect(rows.map((r) => [r.field, r.changed])).toEqual([
      ['a', true],
      ['e', true],
      ['b.c', false],
      ['d', false],
    ]);
    expect(rows[1]).toEqual({ field: 'e', before: '—', after: 'true', changed: true });
    expect(changeRows(null, { a: 1 })[0]).toEqual({ field: 'a', before: null, after: '1', changed: true });
  });

  test('reason codes read as words in the filter list', () => {
    expect(reasonLabel('unknown_user')).toBe('Unknown user');
    expect(reasonLabel('success')).toBe('Success');
  });
});
