// The guided set-up's step 3, done up front: the signed-in admin says what their IdP calls
// them (its NameID for them), and Gatehouse matches them by it, so the first Test SSO finds
// a user instead of failing with "unknown user".
import { useContext, useState } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { MyIdpIdentityQuery, UpdateUserMutation } from '../api/operations';
import { AuthContext } from '../auth';
import { Link } from '../router';
import { TextField } from './Field';
import { Banner, ErrorBanner } from './States';

export function MyIdpIdentity() {
  const me = useContext(AuthContext)?.me;
  if (!me) return null;
  if (me.role !== 'TENANT_ADMIN') {
    return (
      <p className="hint">
        Acting as an operator, you have no user here: create the test user on the <Link to="/users">Users</Link> page,
        with their IdP user name as federation ID.
      </p>
    );
  }
  return <OwnIdentityForm userId={me.id} />;
}

function OwnIdentityForm({ userId }: { userId: string }) {
  const mine = useQuery(MyIdpIdentityQuery, { id: userId });
  const save = useMutation(UpdateUserMutation);
  const [edited, setEdited] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const current = mine.data?.user?.federationId ?? '';
  const value = edited ?? current;
  if (!mine.data) return null;
  const unchanged = value.trim().toLowerCase() === current.toLowerCase();
  const applyIt = async () => {
    if (unchanged || !value.trim() || save.running) return;
    try {
      const { updateUser } = await save.run({ id: userId, input: { federationId: value.trim() } });
      setSaved(updateUser.federationId);
      setEdited(null);
      void mine.reload();
    } catch {
      // Shown under the field.
    }
  };
  // Not a <form>: it sits inside Identity Management's settings form (forms do not nest).
  return (
    <div className="idp-identity">
      <ErrorBanner error={save.error && !save.error.fieldMessage('federationId') ? save.error : undefined} />
      <TextField
        label="Your user name in the IdP"
        value={value}
        onChange={(e) => {
          setEdited(e.target.value);
          setSaved(null);
          save.reset();
        }}
        error={save.error?.fieldMessage('federationId')}
        onKeyDown={(e) => {
          // Enter uses the name here instead of saving the settings form around it.
          if (e.key === 'Enter') {
            e.preventDefault();
            void applyIt();
          }
        }}
        autoCapitalize="none"
        spellCheck={false}
        hint="What your identity provider sends for you (its NameID), usually the name you sign in to it with. Assign that user to the app in the IdP."
      />
      {saved ? (
        <Banner kind="success">
          <p>Saved. Test SSO will match you as {saved}.</p>
        </Banner>
      ) : unchanged ? (
        <p className="hint">Test SSO will match you as {current}.</p>
      ) : (
        <button type="button" className="secondary" disabled={save.running || !value.trim()} onClick={() => void applyIt()}>
          {save.running ? 'Saving…' : 'Use it for my account'}
        </button>
      )}
    </div>
  );
}
