import { useContext, useEffect, useState } from 'react';
import type { ApiError } from '../api/client';
import { asApiError, useMutation, useQuery } from '../api/hooks';
import {
  ActivateUserMutation,
  CreateUserMutation,
  DeleteUserMutation,
  SuspendUserMutation,
  UpdateUserMutation,
  UsersQuery,
} from '../api/operations';
import { AuthContext } from '../auth';
import { ConfirmDialog, Modal } from '../components/ConfirmDialog';
import { CheckboxField, SelectField, TextField } from '../components/Field';
import { Banner, Empty, ErrorBanner, Loading } from '../components/States';
import type { Role, UserFieldsFragment as User, UserSource, UserStatus } from '../gql/graphql';
import { formatDateTime } from '../lib/format';
import { Link, useUnsavedChangesGuard } from '../router';

const PAGE_SIZE = 20;

export const STATUS_LABEL: Record<User['status'], string> = { ACTIVE: 'Active', PENDING: 'Pending', SUSPENDED: 'Suspended' };
const ROLE_LABEL: Record<Role, string> = { TENANT_ADMIN: 'Admin', USER: 'User' };
export const SOURCE_LABEL: Record<UserSource, string> = { CONSOLE: 'Console', SCIM: 'SCIM', JUST_IN_TIME: 'Just-in-time' };

/** The federation ID is worth a column only when it is not just the e-mail again. */
export const federationIdDiffers = (u: Pick<User, 'email' | 'federationId'>) =>
  u.federationId.trim().toLowerCase() !== u.email.trim().toLowerCase();

export function UsersPage() {
  // `?search=` opens the list searched (a group's member links here).
  const [searchInput, setSearchInput] = useState(() => new URLSearchParams(window.location.search).get('search') ?? '');
  const [search, setSearch] = useState(searchInput.trim());
  const [status, setStatusFilter] = useState<UserStatus | ''>('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const query = useQuery(UsersQuery, { first: PAGE_SIZE, after, search: search || null, status: status || null });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [suspending, setSuspending] = useState<User | null>(null);
  const me = useContext(AuthContext)?.me;
  // The server refuses suspending or deleting your own account: don't offer it.
  const isMe = (u: User) => u.id === me?.id;
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; error: ApiError } | null>(null);
  const activate = useMutation(ActivateUserMutation);
  const suspend = useMutation(SuspendUserMutation);
  const [busyId, setBusyId] = useState<string | null>(null);

  // Search as you type, a moment after the typing stops.
  useEffect(() => {
    const t = window.setTimeout(() => {
      if (searchInput.trim() !== search) {
        setSearch(searchInput.trim());
        setCursors([null]);
      }
    }, 300);
    return () => window.clearTimeout(t);
  }, [searchInput, search]);

  const replaceUser = (u: User) =>
    query.setData((d) => d && { users: { ...d.users, nodes: d.users.nodes.map((n) => (n.id === u.id ? u : n)) } });

  const setStatus = async (u: User, to: 'ACTIVE' | 'SUSPENDED') => {
    setBusyId(u.id);
    setRowError(null);
    try {
      const updated =
        to === 'ACTIVE' ? (await activate.run({ id: u.id })).activateUser : (await suspend.run({ id: u.id })).suspendUser;
      replaceUser(updated);
      setNotice(`${updated.email} is now ${STATUS_LABEL[updated.status].toLowerCase()}.`);
    } catch (e) {
      setRowError({ id: u.id, error: asApiError(e) });
    } finally {
      setBusyId(null);
    }
  };

  const users = query.data?.users;
  const showFederationId = !!users?.nodes.some(federationIdDiffers);
  return (
    <div className="page users">
      <div className="page-head">
        <h1>Users</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create user
        </button>
      </div>
      <p className="lede">
        Users must exist and be active before they can sign in with SSO. They are matched by their federation ID (the NameID
        your IdP sends).
      </p>
      {notice && <Banner kind="success">{notice}</Banner>}
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Search users"
          type="search"
          value={searchInput}
          onChange={(e) => setSearchInput(e.target.value)}
          placeholder="E-mail, name or federation ID"
        />
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => {
            setStatusFilter(e.target.value as UserStatus | '');
            setCursors([null]);
          }}
        >
          <option value="">All</option>
          <option value="ACTIVE">Active</option>
          <option value="PENDING">Pending</option>
          <option value="SUSPENDED">Suspended</option>
        </SelectField>
      </form>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!users && !query.error && <Loading what="users" />}
      {users && users.nodes.length === 0 && (
        <Empty
          title={
            search
              ? `No user matches \u201c${search}\u201d${status ? ` among ${STATUS_LABEL[status].toLowerCase()} users` : ''}`
              : status
                ? `No ${STATUS_LABEL[status].toLowerCase()} users`
                : 'No users yet'
          }
        >
          {!search && !status && <p>Create users here, or let your IdP provision them over SCIM.</p>}
        </Empty>
      )}
      {users && users.nodes.length > 0 && (
        <div className="table-wrap" aria-busy={query.loading}>
          <table className="data-table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                {showFederationId && <th scope="col">Federation ID</th>}
                <th scope="col">Role</th>
                <th scope="col">Source</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.nodes.map((u) => (
                <tr key={u.id}>
                  <td data-label="User">
                    <div className="strong">
                      {u.displayName || u.email}
                      {isMe(u) && (
                        <>
                          {' '}
                          <span className="badge badge-info">You</span>
                        </>
                      )}
                    </div>
                    {u.displayName && <div className="muted">{u.email}</div>}
                  </td>
                  {showFederationId && (
                    <td data-label="Federation ID" className="mono">
                      {federationIdDiffers(u) ? u.federationId : <span className="muted">Same as e-mail</span>}
                    </td>
                  )}
                  <td data-label="Role">{ROLE_LABEL[u.role]}</td>
                  <td data-label="Source">{SOURCE_LABEL[u.source]}</td>
                  <td data-label="Last sign-in">{u.lastSignInAt ? <DateTimeLines value={u.lastSignInAt} /> : <span className="muted">Never</span>}</td>
                  <td data-label="Groups">
                    <UserGroups user={u} />
                  </td>
                  <td data-label="Status">
                    <span className={`badge status-${u.status.toLowerCase()}`}>{STATUS_LABEL[u.status]}</span>
                  </td>
                  <td className="row-actions">
                    <button type="button" onClick={() => setEditing(u)} aria-label={`Edit ${u.email}`}>
                      Edit
                    </button>
                    {isMe(u) ? null : u.status === 'ACTIVE' ? (
                      <button
                        type="button"
                        disabled={busyId === u.id}
                        onClick={() => setSuspending(u)}
                        aria-label={`Suspend ${u.email}`}
                      >
                        Suspend
                      </button>
                    ) : (
                      <button
                        type="button"
                        disabled={busyId === u.id}
                        onClick={() => void setStatus(u, 'ACTIVE')}
                        aria-label={`Activate ${u.email}`}
                      >
                        Activate
                      </button>
                    )}
                    {!isMe(u) && (
                      <button type="button" className="danger-text" onClick={() => setDeleting(u)} aria-label={`Delete ${u.email}`}>
                        Delete
                      </button>
                    )}
                    {rowError?.id === u.id && (
                      <p className="field-error" role="alert">
                        {rowError.error.fields[0]?.message ?? rowError.error.message}
                      </p>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users && (cursors.length > 1 || users.pageInfo.hasNextPage) && (
        <nav className="pager" aria-label="Pages of users">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous
          </button>
          <span>Page {cursors.length}</span>
          <button
            type="button"
            disabled={!users.pageInfo.hasNextPage}
            onClick={() => setCursors((c) => [...c, users.pageInfo.endCursor ?? null])}
          >
            Next
          </button>
        </nav>
      )}

      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setNotice(`Created ${u.email} (${STATUS_LABEL[u.status].toLowerCase()}).`);
            void query.reload();
          }}
        />
      )}
      {editing && (
        <EditUserDialog
          user={editing}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            setEditing(null);
            replaceUser(u);
            setNotice(`Saved ${u.email}.`);
          }}
        />
      )}
      {suspending && (
        <ConfirmDialog
          title={`Suspend ${suspending.email}?`}
          confirmLabel="Suspend"
          danger
          busy={busyId === suspending.id}
          onCancel={() => setSuspending(null)}
          onConfirm={() => {
            const u = suspending;
            setSuspending(null);
            void setStatus(u, 'SUSPENDED');
          }}
        >
          <p>
            Their sessions end at once and they cannot sign in, with a password or through SSO, until you activate them
            again. If your IdP provisions users over SCIM, it may activate them again at its next sync.
          </p>
        </ConfirmDialog>
      )}
      {deleting && (
        <DeleteUserDialog
          user={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setNotice(`Deleted ${deleting.email}.`);
            setDeleting(null);
            void query.reload();
          }}
        />
      )}
    </div>
  );
}

function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (u: User) => void }) {
  const [form, setForm] = useState({ email: '', displayName: '', federationId: '', role: 'USER' as Role, password: '', active: true });
  const create = useMutation(CreateUserMutation);
  const dirty = !!(form.email || form.displayName || form.federationId || form.password);
  useUnsavedChangesGuard(dirty, 'The new user is not created yet. If you leave now, what you typed is lost.');
  const err = (f: string) => create.error?.fieldMessage(f);
  const general = create.error && create.error.fields.length === 0 ? create.error : undefined;
  return (
    <Modal title="Create user" onClose={onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const { createUser } = await create.run({
              input: {
                email: form.email.trim(),
                displayName: form.displayName.trim() || null,
                federationId: form.federationId.trim() || null,
                role: form.role,
                password: form.password || null,
                active: form.active,
              },
            });
            onCreated(createUser);
          } catch {
            // Shown next to the fields.
          }
        }}
      >
        <ErrorBanner error={general} />
        <TextField label="E-mail" type="email" required value={form.email} error={err('email')} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <TextField label="Display name" optional value={form.displayName} error={err('displayName')} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <TextField
          label="Federation ID"
          optional
          spellCheck={false}
          value={form.federationId}
          error={err('federationId')}
          placeholder={form.email || 'Defaults to the e-mail'}
          hint="The NameID your IdP sends for this user (Entra: the user principal name). Leave empty to use the e-mail."
          onChange={(e) => setForm({ ...form, federationId: e.target.value })}
        />
        <SelectField label="Role" value={form.role} error={err('role')} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          <option value="USER">User</option>
          <option value="TENANT_ADMIN">Admin (can use this console)</option>
        </SelectField>
        <TextField
          label="Password"
          optional
          type="password"
          autoComplete="new-password"
          value={form.password}
          error={err('password')}
          hint="Only needed where the login policy allows passwords."
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
        <CheckboxField
          label="Active"
          checked={form.active}
          hint="Active users can sign in at once; leave unticked to create the user as pending."
          onChange={(e) => setForm({ ...form, active: e.target.checked })}
        />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={create.running}>
            {create.running ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function EditUserDialog({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: (u: User) => void }) {
  const initial = { email: user.email, displayName: user.displayName, federationId: user.federationId, role: user.role };
  const [form, setForm] = useState(initial);
  const update = useMutation(UpdateUserMutation);
  const dirty = (Object.keys(initial) as (keyof typeof initial)[]).some((k) => form[k] !== initial[k]);
  useUnsavedChangesGuard(dirty, `Your changes to ${user.email} are not saved yet. If you leave now, they are lost.`);
  const err = (f: string) => update.error?.fieldMessage(f);
  const general = update.error && update.error.fields.length === 0 ? update.error : undefined;
  return (
    <Modal title={`Edit ${user.email}`} onClose={onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const input: Record<string, string> = {};
          (Object.keys(initial) as (keyof typeof initial)[]).forEach((k) => {
            if (form[k] !== initial[k]) input[k] = form[k].trim();
          });
          try {
            const { updateUser } = await update.run({ id: user.id, input });
            onSaved(updateUser);
          } catch {
            // Shown next to the fields.
          }
        }}
      >
        <ErrorBanner error={general} />
        <TextField label="E-mail" type="email" value={form.email} error={err('email')} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <TextField label="Display name" value={form.displayName} error={err('displayName')} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        <TextField
          label="Federation ID"
          spellCheck={false}
          value={form.federationId}
          error={err('federationId')}
          hint="Must match the NameID your IdP sends for this user."
          onChange={(e) => setForm({ ...form, federationId: e.target.value })}
        />
        <SelectField label="Role" value={form.role} error={err('role')} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          <option value="USER">User</option>
          <option value="TENANT_ADMIN">Admin (can use this console)</option>
        </SelectField>
        <div className="field">
          <span className="field-label">Groups</span>
          <UserGroups user={user} />
          <p className="hint">Managed by your IdP over SCIM; change group membership there.</p>
        </div>
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={update.running || !dirty}>
            {update.running ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteUserDialog({ user, onClose, onDeleted }: { user: User; onClose: () => void; onDeleted: () => void }) {
  const del = useMutation(DeleteUserMutation);
  return (
    <ConfirmDialog
      title={`Delete ${user.email}?`}
      confirmLabel="Delete user"
      danger
      busy={del.running}
      error={del.error ? (del.error.fields[0]?.message ?? del.error.message) : undefined}
      onCancel={onClose}
      onConfirm={async () => {
        try {
          await del.run({ id: user.id });
          onDeleted();
        } catch {
          // Shown in the dialog.
        }
      }}
    >
      <p>
        {user.displayName || user.email} can no longer sign in, and their sessions end. The sign-in and audit logs keep their
        history. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}

/** The user's groups (provisioned by the IdP; read-only here). */
export function UserGroups({ user }: { user: Pick<User, 'groups' | 'email'> }) {
  if (user.groups.nodes.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="chips" aria-label={`Groups of ${user.email}`}>
      {user.groups.nodes.map((g) => (
        <li key={g.id} className="chip">
          {g.displayName}
        </li>
      ))}
      {user.groups.pageInfo.hasNextPage && (
        <li className="chip muted">
          and more (see <Link to="/groups">Groups</Link>)
        </li>
      )}
    </ul>
  );
}

/** A time as two unbreakable lines (date, then time and zone) so a narrow column stays two lines high. */
function DateTimeLines({ value }: { value: string }) {
  const text = formatDateTime(value);
  const cut = text.lastIndexOf(', ');
  if (cut < 0) return <span className="nowrap">{text}</span>;
  return (
    <>
      <span className="nowrap">{text.slice(0, cut)},</span> <span className="nowrap">{text.slice(cut + 2)}</span>
    </>
  );
}
