/* The explorer's behaviour: run a query as a JSON POST to /graphql from this origin, and
   print the schema from introspection. No third-party code. */
'use strict';

const $ = (id) => document.getElementById(id);
const saved = 'gatehouse.explorer.query';

function headers() {
  const h = { 'content-type': 'application/json' };
  const tenant = $('tenant').value.trim();
  if (tenant) h['x-gatehouse-tenant'] = tenant;
  const token = $('token').value.trim();
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

async function post(query, variables) {
  const r = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: headers(),
    body: JSON.stringify({ query, variables }),
  });
  const text = await r.text();
  try {
    return { status: r.status, body: JSON.parse(text) };
  } catch {
    return { status: r.status, body: text };
  }
}

async function run() {
  const query = $('query').value;
  let variables = {};
  const raw = $('variables').value.trim();
  if (raw) {
    try {
      variables = JSON.parse(raw);
    } catch (e) {
      $('result').textContent = `The variables are not valid JSON: ${e.message}`;
      return;
    }
  }
  try {
    localStorage.setItem(saved, query);
  } catch {
    /* storage may be off; the query just is not remembered */
  }
  $('result').textContent = 'Running…';
  const { status, body } = await post(query, variables);
  const shown = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  $('result').textContent = status === 200 ? shown : `HTTP ${status}\n${shown}`;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';
const INTROSPECTION = `{ __schema { queryType { name } mutationType { name } types {
  kind name description
  fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } }
  inputFields { name type { ${TYPE_REF} } }
  enumValues { name } } } }`;

function typeName(t) {
  if (t.kind === 'NON_NULL') return `${typeName(t.ofType)}!`;
  if (t.kind === 'LIST') return `[${typeName(t.ofType)}]`;
  return t.name;
}

function sdl(schema) {
  const out = [];
  for (const t of schema.types) {
    if (t.name.startsWith('__')) continue;
    const doc = t.description ? `"""${t.description}"""\n` : '';
    if (t.kind === 'OBJECT' || t.kind === 'INPUT_OBJECT') {
      const word = t.kind === 'OBJECT' ? 'type' : 'input';
      const fields = (t.fields ?? t.inputFields ?? []).map((f) => {
        const args = f.args?.length ? `(${f.args.map((a) => `${a.name}: ${typeName(a.type)}`).join(', ')})` : '';
        return `  ${f.name}${args}: ${typeName(f.type)}`;
      });
      out.push(`${doc}${word} ${t.name} {\n${fields.join('\n')}\n}`);
    } else if (t.kind === 'ENUM') {
      out.push(`${doc}enum ${t.name} { ${t.enumValues.map((v) => v.name).join(' ')} }`);
    } else if (t.kind === 'SCALAR') {
      out.push(`scalar ${t.name}`);
    }
  }
  return out.join('\n\n');
}

async function showSchema() {
  $('result').textContent = 'Reading the schema…';
  const { status, body } = await post(INTROSPECTION, {});
  if (status !== 200 || typeof body === 'string' || body.errors) {
    $('result').textContent = `HTTP ${status}\n${typeof body === 'string' ? body : JSON.stringify(body, null, 2)}`;
    return;
  }
  $('result').textContent = sdl(body.data.__schema);
}

document.addEventListener('DOMContentLoaded', () => {
  try {
    const q = localStorage.getItem(saved);
    if (q) $('query').value = q;
  } catch {
    /* storage may be off */
  }
  $('run').addEventListener('click', run);
  $('schema').addEventListener('click', showSchema);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
});
