// The audit log in plain words: what each action means, which thing it touched (by its name,
// not its UUID), and the change with unchanged fields set apart.

export const ACTION_NAME: Record<string, string> = {
  'api_token.create': 'Created an API token',
  'api_token.revoke': 'Revoked an API token',
  'group.create': 'Created a group',
  'group.delete': 'Deleted a group',
  'group.update': 'Changed a group',
  'idp_certificate.add': 'Added an IdP certificate',
  'idp_certificate.remove': 'Removed an IdP certificate',
  'operator.create': 'Added a platform operator',
  'scim_token.create': 'Created a SCIM Secret Token',
  'scim_token.revoke': 'Revoked a SCIM Secret Token',
  'sso_connection.update': 'Changed the SSO settings',
  'tenant.create': 'Created the tenant',
  'tenant.set_dev_mode': 'Changed "Allow http IdP URLs"',
  'tenant.set_scim_manages_admins': 'Changed whether SCIM manages admins',
  'user.activate': 'Activated a user',
  'user.create': 'Created a user',
  'user.delete': 'Deleted a user',
  'user.suspend': 'Suspended a user',
  'user.update': 'Changed a user',
};

/** Plain words for an action; an action this console does not know reads as its code. */
export function actionName(action: string): string {
  return ACTION_NAME[action] ?? action;
}

/** The categories the filter offers: the kinds of target. */
export const CATEGORIES: { value: string; label: string }[] = [
  { value: 'user', label: 'Users' },
  { value: 'group', label: 'Groups' },
  { value: 'sso_connection', label: 'SSO settings' },
  { value: 'idp_certificate', label: 'IdP certificates' },
  { value: 'api_token', label: 'API tokens' },
  { value: 'scim_token', label: 'SCIM tokens' },
  { value: 'tenant', label: 'Tenant' },
];

const NAME_KEYS = ['email', 'userName', 'displayName', 'display_name', 'name', 'subject', 'slug', 'prefix', 'token_prefix'];

/** The target's name, from what the entry recorded about it (after, else before); `null` when none. */
export function targetName(before: unknown, after: unknown): string | null {
  for (const side of [after, before]) {
    if (side && typeof side === 'object' && !Array.isArray(side)) {
      const o = side as Record<string, unknown>;
      for (const k of NAME_KEYS) {
        const v = o[k];
        if (typeof v === 'string' && v.trim()) return v;
      }
    }
  }
  return null;
}

function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

export interface ChangeRow {
  field: string;
  before: string | null;
  after: string | null;
  changed: boolean;
}

/** Before/after by field; changed fields first, in the order recorded. */
export function changeRows(before: unknown, after: unknown): ChangeRow[] {
  const b = flatten(before);
  const a = flatten(after);
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)]));
  const rows = keys.map((k) => ({
    field: k,
    before: before == null ? null : (b[k] ?? '—'),
    after: after == null ? null : (a[k] ?? '—'),
    changed: b[k] !== a[k],
  }));
  return [...rows.filter((r) => r.changed), ...rows.filter((r) => !r.changed)];
}
