// Previous/next through a GraphQL connection. The server caps a page (`first` at most
// 200), so every list that can grow is read a page at a time; this keeps the cursors.
import { useState } from 'react';

/** The cursors of the pages visited so far; the last one is the page on screen. */
export function useCursors() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    next: (cursor: string | null | undefined) => setCursors((c) => [...c, cursor ?? null]),
    previous: () => setCursors((c) => c.slice(0, -1)),
    reset: () => setCursors([null]),
  };
}

export function Pager({
  label,
  cursors,
  pageInfo,
}: {
  label: string;
  cursors: ReturnType<typeof useCursors>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}) {
  if (cursors.page <= 1 && !pageInfo.hasNextPage) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={cursors.page <= 1} onClick={cursors.previous}>
        Previous
      </button>
      <span>Page {cursors.page}</span>
      <button type="button" disabled={!pageInfo.hasNextPage} onClick={() => cursors.next(pageInfo.endCursor)}>
        Next
      </button>
    </nav>
  );
}
