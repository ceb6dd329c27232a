// The one way the console talks to the server: a JSON POST to /graphql, same-origin,
// authenticated by the HttpOnly session cookie the server sets at sign-in. Nothing
// secret is kept in the browser; the only thing remembered is which tenant a platform
// operator chose to act on (a slug, not a secret).
import type { TypedDocumentString } from '../gql/graphql';

export type ErrorCode =
  | 'VALIDATION'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'NETWORK';

export interface FieldError {
  field: string;
  message: string;
}

interface RawError {
  message?: string;
  extensions?: {
    code?: string;
    field?: string;
    fields?: FieldError[];
    correlationId?: string;
    retryAfterSeconds?: number;
  };
}

/** An error answered by the API (or the network), with what the UI needs to place it. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  /** Per-field messages (VALIDATION, and CONFLICT naming a field). */
  readonly fields: FieldError[];
  readonly correlationId?: string;
  /** RATE_LIMITED: how long to wait before trying again. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    fields: FieldError[] = [],
    correlationId?: string,
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields;
    this.correlationId = correlationId;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The message for one field, if the server named it. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }
}

const KNOWN_CODES: ErrorCode[] = [
  'VALIDATION',
  'CONFLICT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'INTERNAL',
];

function toApiError(errors: RawError[]): ApiError {
  const first = errors[0] ?? {};
  const raw = first.extensions?.code ?? 'INTERNAL';
  const code = (KNOWN_CODES as string[]).includes(raw) ? (raw as ErrorCode) : 'INTERNAL';
  const fields: FieldError[] = [];
  for (const e of errors) {
    const ext = e.extensions ?? {};
    if (ext.fields?.length) {
      fields.push(...ext.fields);
    } else if (ext.field && e.message) {
      fields.push({ field: ext.field, message: e.message });
    }
  }
  return new ApiError(
    code,
    first.message ?? 'The server answered with an error.',
    fields,
    first.extensions?.correlationId,
    first.extensions?.retryAfterSeconds,
  );
}

type Listener = (e: ApiError) => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever a request comes back UNAUTHENTICATED (the session ended). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

const TENANT_KEY = 'gatehouse.operatorTenant';
let operatorTenant: string | null = readOperatorTenant();

function readOperatorTenant(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(TENANT_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The tenant a platform operator acts on (sent as `X-Gatehouse-Tenant`). */
export function getOperatorTenant(): string | null {
  return operatorTenant;
}

export function setOperatorTenant(slug: string | null): void {
  operatorTenant = slug;
  try {
    if (slug) sessionStorage.setItem(TENANT_KEY, slug);
    else sessionStorage.removeItem(TENANT_KEY);
  } catch {
    // Storage may be unavailable (private mode); the choice then lasts for this page only.
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export async function gql<R, V>(
  document: TypedDocumentString<R, V>,
  variables?: V,
  options?: RequestOptions,
): Promise<R> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  if (operatorTenant) headers['X-Gatehouse-Tenant'] = operatorTenant;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
      signal: options?.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('NETWORK', 'The server could not be reached. Check your connection and try again.');
  }
  let body: { data?: R | null; errors?: RawError[] } | null = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (body?.errors?.length) {
    const error = toApiError(body.errors);
    if (error.code === 'UNAUTHENTICATED') unauthenticatedListeners.forEach((l) => l(error));
    throw error;
  }
  if (!response.ok || !body?.data) {
    throw new ApiError('INTERNAL', `The server answered ${response.status} ${response.statusText}`.trim() + '.');
  }
  return body.data;
}
