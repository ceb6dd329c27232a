// GraphQL subscriptions over `GET /graphql/ws` in the graphql-transport-ws protocol. A small
// hand client instead of the `graphql-ws` package: the console needs one subscription at a
// time, the protocol part it uses is a handful of messages (connection_init/ack, subscribe,
// next, error, complete, ping/pong), and the console stays at React as its only runtime
// dependency. The session cookie rides on the upgrade (same origin); an operator's chosen
// tenant goes in the connection_init payload, as X-Gatehouse-Tenant does for POSTs.
import { getOperatorTenant } from './client';
import type { TypedDocumentString } from '../gql/graphql';

/** Where a live subscription stands, for the page's indicator. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface LiveHandlers<R> {
  next: (data: R) => void;
  state: (state: LiveState, why?: string) => void;
}

/** The back-off before reconnect attempt `n` (0-based): 1 s, 2 s, 4 s … 30 s, with jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Codes after which trying again cannot help (signed out, refused, forbidden). */
const FINAL_ERRORS = ['UNAUTHENTICATED', 'FORBIDDEN', 'VALIDATION'];

/**
 * Subscribes and keeps the subscription going: when the socket drops it reconnects with
 * back-off, until the returned function is called or the server says the caller may not
 * (then the state is `stopped`, with why). A refusal for load (RATE_LIMITED) retries too.
 */
export function subscribeLive<R, V>(document: TypedDocumentString<R, V>, variables: V, handlers: LiveHandlers<R>): () => void {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const stop = (why: string) => {
    closed = true;
    handlers.state('stopped', why);
    socket?.close(1000);
  };

  const retry = () => {
    if (closed) return;
    handlers.state('reconnecting');
    timer = setTimeout(open, backoffMs(attempt++));
  };

  function open() {
    if (closed) return;
    handlers.state(attempt === 0 ? 'connecting' : 'reconnecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`;
    const ws = new WebSocket(url, 'graphql-transport-ws');
    socket = ws;
    ws.onopen = () => {
      const tenant = getOperatorTenant();
      ws.send(JSON.stringify({ type: 'connection_init', payload: tenant ? { tenant } : {} }));
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      let msg: { type?: string; id?: string; payload?: { data?: R; errors?: { message?: string; extensions?: { code?: string } }[] } };
      try {
        msg = JSON.parse(ev.data) as typeof msg;
      } catch {
        return;
      }
      switch (msg.type) {
        case 'connection_ack':
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: document.toString(), variables } }));
          attempt = 0;
          handlers.state('live');
          break;
        case 'ping':
          ws.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next': {
          const error = msg.payload?.errors?.[0];
          if (error) {
            const code = error.extensions?.code ?? '';
            if (FINAL_ERRORS.includes(code)) stop(error.message ?? code);
            else ws.close(1000);
            return;
          }
          if (msg.payload?.data) handlers.next(msg.payload.data);
          break;
        }
        case 'error':
        case 'complete':
          ws.close(1000);
          break;
      }
    };
    ws.onclose = (ev) => {
      if (socket !== ws || closed) return;
      // The server refuses a connection_init it cannot authenticate with this reason.
      if (ev.reason.startsWith('UNAUTHENTICATED')) stop('Signed out');
      else retry();
    };
  }

  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    socket?.close(1000);
  };
}
