import { useState } from 'react';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall back below.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** A "Copy" button whose accessible name says what it copies. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <span className="copy">
      <button
        type="button"
        aria-label={`Copy ${what}`}
        onClick={async () => {
          setState((await copyText(value)) ? 'copied' : 'failed');
          window.setTimeout(() => setState('idle'), 2500);
        }}
      >
        Copy
      </button>
      <span className="copy-status" role="status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy by hand' : ''}
      </span>
    </span>
  );
}

/** A read-only value with a copy button, as shown in the "paste into your IdP" box. */
export function CopyValue({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="copy-value">
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
        <CopyButton value={value} what={label} />
        {hint && <p className="hint">{hint}</p>}
      </dd>
    </div>
  );
}
