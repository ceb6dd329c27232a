import type { ReactNode } from 'react';
import { useUnsavedChangesGuard } from '../router';
import { CopyButton } from './CopyButton';

/**
 * A secret the server hands out once (an API token, a SCIM Secret Token): shown with a copy
 * button until the admin says it is copied. While it is on screen, leaving the page asks first
 * (it cannot be shown again). The secret lives only in the caller's component state.
 */
export function OneTimeSecret({
  title,
  label,
  value,
  guardMessage,
  onDismiss,
  children,
}: {
  title: string;
  /** Accessible name of the secret, e.g. "New API token"; the copy button says "Copy the <label>". */
  label: string;
  value: string;
  /** What the leave-page dialog says. */
  guardMessage: string;
  onDismiss: () => void;
  /** More to say, under the "copy it now" line. */
  children?: ReactNode;
}) {
  useUnsavedChangesGuard(true, guardMessage);
  return (
    <section className="card token-once" aria-label={title}>
      <h2>{title}</h2>
      <p>Copy it now: it is shown this once, and cannot be shown again.</p>
      {children}
      <div className="secret">
        <code aria-label={label}>{value}</code>
        <CopyButton value={value} what={`the ${label.charAt(0).toLowerCase()}${label.slice(1)}`} />
      </div>
      <button type="button" onClick={onDismiss}>
        I have copied it
      </button>
    </section>
  );
}
