// The tenant's groups, as the IdP provisioned them over SCIM. Read-only: the IdP owns them.
import { useId, useState } from 'react';
import { useDebounced, useQuery } from '../api/hooks';
import { TextField } from '../components/Field';
import { GroupMembersQuery, GroupsQuery } from '../api/operations';
import { Pager, useCursors } from '../components/Pager';
import { Empty, ErrorBanner, Loading } from '../components/States';
import type { GroupsQuery as Data } from '../gql/graphql';
import { formatDateTime } from '../lib/format';
import { Link } from '../router';
import { STATUS_LABEL } from './Users';

const PAGE_SIZE = 50;
const MEMBERS_PAGE_SIZE = 50;

type Group = Data['groups']['nodes'][number];

export const memberCountText = (n: number) => (n === 1 ? '1 member' : `${n} members`);

export function GroupsPage() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [searchInput, setSearchInput] = useState('');
  const search = useDebounced(searchInput.trim());
  const query = useQuery(GroupsQuery, { first: PAGE_SIZE, after, search: search || null });
  const [searched, setSearched] = useState(search);
  if (searched !== search) {
    setSearched(search);
    setCursors([null]);
  }
  const groups = query.data?.groups;

  return (
    <div className="page groups">
      <div className="page-head">
        <h1>Groups</h1>
      </div>
      <p className="lede">
        Groups come from your IdP over SCIM, with their members. They are read-only here: change them in the IdP, and the next
        provisioning cycle brings the change.
      </p>
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Search groups"
          type="search"
          value={searchInput}
          onChange={(e) => setSearchInput(e.target.value)}
          placeholder="Group name"
        />
      </form>
      <ErrorBanner error={query.error} onRetry={() => void query.reload()} />
      {!groups && !query.error && <Loading what="groups" />}
      {groups && groups.nodes.length === 0 && search && <Empty title={`No group matches \u201c${search}\u201d`} />}
      {groups && groups.nodes.length === 0 && !search && (
        <Empty title="No groups yet">
          <p>
            Groups appear here once your IdP provisions them. Set it up on the{' '}
            <Link to="/provisioning">Provisioning (SCIM)</Link> page, and assign groups to the app in the IdP.
          </p>
        </Empty>
      )}
      {groups && groups.nodes.length > 0 && (
        <ul className="group-list" aria-label="Groups" aria-busy={query.loading}>
          {groups.nodes.map((g) => (
            <GroupItem key={g.id} group={g} />
          ))}
        </ul>
      )}
      {groups && (cursors.length > 1 || groups.pageInfo.hasNextPage) && (
        <nav className="pager" aria-label="Pages of groups">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous
          </button>
          <span>Page {cursors.length}</span>
          <button
            type="button"
            disabled={!groups.pageInfo.hasNextPage}
            onClick={() => setCursors((c) => [...c, groups.pageInfo.endCursor ?? null])}
          >
            Next
          </button>
        </nav>
      )}
    </div>
  );
}

function GroupItem({ group }: { group: Group }) {
  const [open, setOpen] = useState(false);
  const membersId = useId();
  const headingId = useId();
  return (
    <li className="group" aria-labelledby={headingId}>
      <div className="group-head">
        <div className="group-name">
          <h2 id={headingId}>{group.displayName}</h2>
          <span className="badge badge-info">{memberCountText(group.memberCount)}</span>
        </div>
        {group.memberCount > 0 && (
          <button
            type="button"
            aria-expanded={open}
            aria-controls={membersId}
            aria-label={`${open ? 'Hide' : 'Show'} members of ${group.displayName}`}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Hide members' : 'Show members'}
          </button>
        )}
      </div>
      <dl className="group-meta">
        {group.externalId && (
          <div>
            <dt>External ID</dt>
            <dd className="mono">{group.externalId}</dd>
          </div>
        )}
        <div>
          <dt>Updated</dt>
          <dd>{formatDateTime(group.updatedAt)}</dd>
        </div>
      </dl>
      <div id={membersId} hidden={!open}>
        {open && <GroupMembers id={group.id} name={group.displayName} />}
      </div>
    </li>
  );
}

function GroupMembers({ id, name }: { id: string; name: string }) {
  const cursors = useCursors();
  const query = useQuery(GroupMembersQuery, { id, first: MEMBERS_PAGE_SIZE, after: cursors.after });
  const group = query.data?.group;
  if (query.error) return <ErrorBanner error={query.error} onRetry={() => void query.reload()} />;
  if (!query.data) return <Loading what="members" />;
  if (!group) return <p className="muted">This group no longer exists.</p>;
  if (group.members.nodes.length === 0 && cursors.page === 1) return <p className="muted">No members.</p>;
  return (
    <>
      <ul className="member-list" aria-label={`Members of ${name}`}>
        {group.members.nodes.map((m) => (
          <li key={m.id}>
            <div className="member-who">
              <Link className="strong" to={`/users?search=${encodeURIComponent(m.email)}`}>
                {m.displayName || m.email}
              </Link>
              {m.displayName && <span className="muted">{m.email}</span>}
            </div>
            <span className={`badge status-${m.status.toLowerCase()}`}>{STATUS_LABEL[m.status]}</span>
          </li>
        ))}
      </ul>
      <Pager label={`Pages of members of ${name}`} cursors={cursors} pageInfo={group.members.pageInfo} />
    </>
  );
}
