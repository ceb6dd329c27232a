import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';

export const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));

type Handler = (variables: Record<string, unknown>) => { data?: unknown; errors?: unknown[] };

/**
 * Stubs `fetch` for /graphql: each operation (by its name) answers with its handler.
 * Returns the list of calls, in order.
 */
export function mockGraphql(handlers: Record<string, Handler>) {
  const calls: { operation: string; variables: Record<string, unknown> }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as { query: string; variables: Record<string, unknown> };
      const operation = /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? '?';
      calls.push({ operation, variables: body.variables });
      const handler = handlers[operation];
      if (!handler) throw new Error(`no mock for ${operation}`);
      return new Response(JSON.stringify(handler(body.variables)), { headers: { 'content-type': 'application/json' } });
    }),
  );
  return calls;
}

export function validation(fields: { field: string; message: string }[]) {
  return {
    errors: [
      {
        message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
        extensions: { code: 'VALIDATION', field: fields[0]?.field, fields },
      },
    ],
  };
}
