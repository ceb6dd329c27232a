// Small data hooks over `gql`: enough for a console whose pages each load a few things.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, gql, getOperatorTenant } from './client';

export interface QueryState<R> {
  data: R | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again (keeps the current data on screen meanwhile). */
  reload: () => Promise<void>;
  /** Replaces the data with what a mutation answered, without a round trip. */
  setData: (update: (current: R | undefined) => R | undefined) => void;
}

export function useQuery<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  options: { skip?: boolean } = {},
): QueryState<R> {
  const [data, setDataState] = useState<R | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(!options.skip);
  const key = JSON.stringify(variables) + '|' + (getOperatorTenant() ?? '');
  const latest = useRef(0);
  const vars = useRef(variables);
  // Declared before the effect that loads, so a load always sees this render's variables.
  useEffect(() => {
    vars.current = variables;
  });

  // A new query (document, variables, tenant) starts loading in the render that asks for
  // it (adjusted while rendering; the effect below only fetches).
  const wanted = options.skip ? null : key;
  const [started, setStarted] = useState({ document, wanted });
  if (started.document !== document || started.wanted !== wanted) {
    setStarted({ document, wanted });
    if (wanted !== null) setLoading(true);
  }

  /** Fetches into the state; whoever calls it has set `loading`. */
  const fetchInto = useCallback(() => {
    const id = ++latest.current;
    const settle = (apply: () => void) => {
      if (id !== latest.current) return;
      apply();
      setLoading(false);
    };
    return gql(document, vars.current).then(
      (result) =>
        settle(() => {
          setDataState(result);
          setError(undefined);
        }),
      (e: unknown) => settle(() => setError(asApiError(e))),
    );
  }, [document]);

  useEffect(() => {
    if (options.skip) return;
    void fetchInto();
    // `key` stands for the variables and the tenant.
  }, [fetchInto, key, options.skip]);

  const reload = useCallback(async () => {
    setLoading(true);
    await fetchInto();
  }, [fetchInto]);

  const setData = useCallback((update: (current: R | undefined) => R | undefined) => setDataState(update), []);
  // A skipped query is not loading, whatever it was doing before it was skipped.
  return { data, error, loading: loading && !options.skip, reload, setData };
}

export interface MutationState<R, V> {
  run: (variables: V) => Promise<R>;
  running: boolean;
  error: ApiError | undefined;
  reset: () => void;
}

/** Runs a mutation; `run` rethrows so callers can react, and `error` keeps it for display. */
export function useMutation<R, V>(document: TypedDocumentString<R, V>): MutationState<R, V> {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = useCallback(
    async (variables: V) => {
      setRunning(true);
      setError(undefined);
      try {
        return await gql(document, variables);
      } catch (e) {
        const err = asApiError(e);
        setError(err);
        throw err;
      } finally {
        setRunning(false);
      }
    },
    [document],
  );
  const reset = useCallback(() => setError(undefined), []);
  return { run, running, error, reset };
}

export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('INTERNAL', e instanceof Error ? e.message : String(e));
}

/** `value`, once it has stopped changing for `ms` (for search-as-you-type fields). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return settled;
}
