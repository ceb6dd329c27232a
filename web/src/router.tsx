// A small History-API router with one extra: a page with unsaved changes can block
// leaving it. In-app links and the browser's back/forward ask first (in our own dialog);
// reloading or closing the tab gets the browser's own "leave site?" prompt.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type AnchorHTMLAttributes,
  type ReactNode,
} from 'react';
import { ConfirmDialog } from './components/ConfirmDialog';

interface RouterValue {
  path: string;
  navigate: (to: string, options?: { replace?: boolean }) => void;
  /** Registers a blocker while `message` is non-null; returns the unregister function. */
  block: (message: string) => () => void;
  /** Runs `action` now, or after the user agrees to lose unsaved changes. */
  confirmLeave: (action: () => void) => void;
}

const RouterContext = createContext<RouterValue | null>(null);

function currentPath(): string {
  return window.location.pathname + window.location.search;
}

export function Router({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(currentPath);
  const blockers = useRef<string[]>([]);
  // The leave-anyway question, with the message of the page that asks it (taken when asked).
  const [pending, setPending] = useState<{ action: () => void; message: string | undefined } | null>(null);
  const shown = useRef(currentPath());

  const go = useCallback((to: string, replace: boolean) => {
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    shown.current = to;
    setPath(to);
    window.scrollTo?.(0, 0);
  }, []);

  const confirmLeave = useCallback((action: () => void) => {
    if (blockers.current.length > 0) setPending({ action, message: blockers.current.at(-1) });
    else action();
  }, []);

  const navigate = useCallback(
    (to: string, options: { replace?: boolean } = {}) => {
      if (to === shown.current) return;
      confirmLeave(() => go(to, options.replace ?? false));
    },
    [go, confirmLeave],
  );

  const block = useCallback((message: string) => {
    blockers.current.push(message);
    return () => {
      const i = blockers.current.lastIndexOf(message);
      if (i >= 0) blockers.current.splice(i, 1);
    };
  }, []);

  useEffect(() => {
    const onPop = () => {
      const to = currentPath();
      if (blockers.current.length > 0) {
        // Put the page we are on back, then ask.
        window.history.pushState(null, '', shown.current);
        setPending({ action: () => go(to, true), message: blockers.current.at(-1) });
        return;
      }
      shown.current = to;
      setPath(to);
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (blockers.current.length > 0) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('popstate', onPop);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [go]);

  const value = useMemo(() => ({ path, navigate, block, confirmLeave }), [path, navigate, block, confirmLeave]);
  return (
    <RouterContext.Provider value={value}>
      {children}
      {pending && (
        <ConfirmDialog
          title="Leave without saving?"
          confirmLabel="Leave without saving"
          cancelLabel="Stay on this page"
          danger
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const p = pending;
            setPending(null);
            blockers.current = [];
            p.action();
          }}
        >
          <p>{pending.message ?? 'You have unsaved changes.'}</p>
        </ConfirmDialog>
      )}
    </RouterContext.Provider>
  );
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error('useRouter outside <Router>');
  return value;
}

/** Blocks leaving the page while `dirty` (see the module comment). */
export function useUnsavedChangesGuard(dirty: boolean, message = 'You have unsaved changes on this page. If you leave now, they are lost.') {
  const { block } = useRouter();
  useEffect(() => {
    if (!dirty) return;
    return block(message);
  }, [dirty, message, block]);
}

export function Link({ to, children, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { navigate } = useRouter();
  return (
    <a
      href={to}
      {...rest}
      onClick={(e) => {
        rest.onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
