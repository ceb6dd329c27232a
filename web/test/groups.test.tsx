import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { GroupsPage } from '../src/pages/Groups';
import { UsersPage } from '../src/pages/Users';
import { Router } from '../src/router';
import { mockGraphql } from './helpers';

const sales = {
  id: 'g1',
  displayName: 'Sales',
  externalId: '7c1b2f5e-sales',
  memberCount: 2,
  updatedAt: '2026-11-26T10:00:00Z',
};
const empty = { id: 'g2', displayName: 'Contractors', externalId: null, memberCount: 0, updatedAt: '2026-11-26T10:00:00Z' };

const members = [
  { id: 'u2', email: 'b.simon@contoso.com', displayName: 'B.Simon', federationId: 'B.Simon@contoso.com', status: 'ACTIVE' },
  { id: 'u3', email: 'e.reyes@contoso.com', displayName: '', federationId: 'e.reyes@contoso.com', status: 'SUSPENDED' },
];

function renderGroups() {
  return render(
    <Router>
      <GroupsPage />
    </Router>,
  );
}

describe('Groups', () => {
  test('lists the groups with their member counts, and shows the members on request', async () => {
    const calls = mockGraphql({
      Groups: () => ({ data: { groups: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [sales, empty] } } }),
      GroupMembers: (v) => ({
        data: { group: { id: v.id, memberCount: 2, members: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: members } } },
      }),
    });
    renderGroups();
    const list = await screen.findByRole('list', { name: 'Groups' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => within(i).getByRole('heading').textContent)).toEqual(['Sales', 'Contractors']);
    expect(within(items[0]).getByText('2 members')).toBeInTheDocument();
    expect(within(items[0]).getByText('7c1b2f5e-sales')).toBeInTheDocument();
    expect(within(items[1]).getByText('0 members')).toBeInTheDocument();
    expect(within(items[1]).queryByRole('button')).toBeNull();
    // Read-only: nothing to edit.
    expect(screen.queryByRole('button', { name: /create|edit|delete|add/i })).toBeNull();
    expect(calls.map((c) => c.operation)).toEqual(['Groups']);

    const show = within(items[0]).getByRole('button', { name: 'Show members of Sales' });
    expect(show).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(show);
    const memberList = await screen.findByRole('list', { name: 'Members of Sales' });
    const rows = within(memberList).getAllByRole('listitem');
    expect(rows.map((r) => r.textContent)).toEqual(['B.Simonb.simon@contoso.comActive', 'e.reyes@contoso.comSuspended']);
    expect(calls[1]).toEqual({ operation: 'GroupMembers', variables: { id: 'g1', first: 50, after: null } });
    const hide = within(items[0]).getByRole('button', { name: 'Hide members of Sales' });
    expect(hide).toHaveAttribute('aria-expanded', 'true');
    await userEvent.click(hide);
    expect(screen.queryByRole('list', { name: 'Members of Sales' })).toBeNull();
  });

  test("a big group's members are read a page at a time", async () => {
    const calls = mockGraphql({
      Groups: () => ({ data: { groups: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ ...sales, memberCount: 51 }] } } }),
      GroupMembers: (v) => ({
        data: {
          group: {
            id: v.id,
            memberCount: 51,
            members: v.after
              ? { pageInfo: { hasNextPage: false, endCursor: 'u3' }, nodes: [members[1]] }
              : { pageInfo: { hasNextPage: true, endCursor: 'u2' }, nodes: [members[0]] },
          },
        },
      }),
    });
    renderGroups();
    await userEvent.click(await screen.findByRole('button', { name: 'Show members of Sales' }));
    const pager = await screen.findByRole('navigation', { name: 'Pages of members of Sales' });
    expect(within(await screen.findByRole('list', { name: 'Members of Sales' })).getAllByRole('listitem')).toHaveLength(1);
    await userEvent.click(within(pager).getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('e.reyes@contoso.com')).toBeInTheDocument();
    expect(calls.at(-1)).toEqual({ operation: 'GroupMembers', variables: { id: 'g1', first: 50, after: 'u2' } });
    expect(within(pager).getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(within(pager).getByText('Page 2')).toBeInTheDocument();
  });

  test('with no groups, says where they come from', async () => {
    mockGraphql({ Groups: () => ({ data: { groups: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }) });
    renderGroups();
    expect(await screen.findByText('No groups yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Provisioning (SCIM)' })).toHaveAttribute('href', '/provisioning');
  });
});

describe("a user's groups", () => {
  const user = (id: string, email: string, groups: { id: string; displayName: string }[], more = false) => ({
    id,
    email,
    displayName: '',
    federationId: email,
    role: 'USER',
    status: 'ACTIVE',
    hasPassword: false,
    createdAt: '2026-11-26T10:00:00Z',
    updatedAt: '2026-11-26T10:00:00Z',
    groups: { pageInfo: { hasNextPage: more }, nodes: groups },
  });

  test('are listed on the Users page and in the edit dialog, read-only', async () => {
    mockGraphql({
      Users: () => ({
        data: {
          users: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: [
              user('u2', 'b.simon@contoso.com', [
                { id: 'g1', displayName: 'Sales' },
                { id: 'g3', displayName: 'Everyone' },
              ]),
              user('u4', 'new.hire@contoso.com', []),
              user('u5', 'many.groups@contoso.com', [{ id: 'g1', displayName: 'Sales' }], true),
            ],
          },
        },
      }),
    });
    render(
      <Router>
        <UsersPage />
      </Router>,
    );
    const groups = await screen.findByRole('list', { name: 'Groups of b.simon@contoso.com' });
    expect(within(groups).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Sales', 'Everyone']);
    const other = screen.getByRole('row', { name: /new\.hire@contoso\.com/ });
    expect(within(other).getByText('None')).toBeInTheDocument();
    // Only the first page of a user's groups is shown; the rest are on the Groups page.
    const many = screen.getByRole('list', { name: 'Groups of many.groups@contoso.com' });
    expect(within(many).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Sales', 'and more (see Groups)']);

    await userEvent.click(screen.getByRole('button', { name: 'Edit b.simon@contoso.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit b.simon@contoso.com' });
    const inDialog = within(dialog).getByRole('list', { name: 'Groups of b.simon@contoso.com' });
    expect(within(inDialog).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Sales', 'Everyone']);
    expect(within(dialog).getByText('Managed by your IdP over SCIM; change group membership there.')).toBeInTheDocument();
    expect(within(dialog).queryByRole('textbox', { name: /group/i })).toBeNull();
  });
});
