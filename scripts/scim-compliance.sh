#!/usr/bin/env bash
# SCIM compliance: runs the independent scim2-cli suite (`scim2 --url … test`, from PyPI) against
# a live `gatehouse` on a fresh SQLite database and a free port. Exits non-zero unless every
# check passes.
#
#   scripts/scim-compliance.sh            # builds target/debug/gatehouse first
#   SCIM_COMPLIANCE_BIN=path/to/gatehouse scripts/scim-compliance.sh
#
# The suite is installed into .venv/ (gitignored) on first use.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCIM2_CLI_VERSION="${SCIM2_CLI_VERSION:-0.6.0}"
VENV="$ROOT/.venv"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${SCIM_COMPLIANCE_BIN:-$TARGET/debug/gatehouse}"

if [[ ! -x "$VENV/bin/scim2" ]]; then
    echo "installing scim2-cli $SCIM2_CLI_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "scim2-cli==$SCIM2_CLI_VERSION"
fi
if [[ -z "${SCIM_COMPLIANCE_BIN:-}" ]]; then
    cargo build --quiet -p gatehouse-server --bin gatehouse
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
SLUG="compliance"
ADMIN_EMAIL="admin@compliance.test"
ADMIN_PASSWORD="compliance-admin-$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
export DATABASE_URL="sqlite://$WORK/gatehouse.sqlite?mode=rwc"
export GATEHOUSE_LISTEN="127.0.0.1:$PORT"
export GATEHOUSE_PUBLIC_URL="$BASE"
export GATEHOUSE_BOOTSTRAP_EMAIL="ops@compliance.test"
export GATEHOUSE_BOOTSTRAP_PASSWORD="compliance-operator-password"
export RUST_LOG="${RUST_LOG:-warn}"

"$BIN" tenant create --slug "$SLUG" --name "SCIM compliance" \
    --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "gatehouse did not start" >&2; exit 1; }
    sleep 0.1
done

# The tenant admin signs in and creates the SCIM token, as in the console.
gql() {
    curl -fsS -b "$WORK/cookies" -c "$WORK/cookies" -H 'Content-Type: application/json' \
        --data "$1" "$BASE/graphql"
}
gql "$(python3 -c 'import json, sys; print(json.dumps({"query": "mutation($e:String!,$p:String!){ signIn(email:$e, password:$p){ me { email } } }", "variables": {"e": sys.argv[1], "p": sys.argv[2]}}))' "$ADMIN_EMAIL" "$ADMIN_PASSWORD")" >/dev/null
CREATED="$(gql '{"query":"mutation { createScimToken { token tenantUrl } }"}')"
TOKEN="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["createScimToken"]["token"])' <<<"$CREATED")"
TENANT_URL="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["createScimToken"]["tenantUrl"])' <<<"$CREATED")"

echo "running scim2 test against $TENANT_URL"
set +e
SCIM_CLI_HEADERS="Authorization: Bearer $TOKEN" "$VENV/bin/scim2" --url "$TENANT_URL" test >"$WORK/result.txt" 2>&1
STATUS=$?
set -e
# Plain output for logs and counting.
sed -e 's/\x1b\[[0-9;]*m//g' "$WORK/result.txt" >"$WORK/plain.txt"
if [[ "${VERBOSE:-0}" == 1 || $STATUS -ne 0 ]]; then
    cat "$WORK/plain.txt"
fi
PASSED="$(grep -c '^SUCCESS ' "$WORK/plain.txt" || true)"
OTHER="$(grep -cE '^(ERROR|CRITICAL|WARNING|SKIPPED|FAILURE|FAILED) ' "$WORK/plain.txt" || true)"
if [[ -n "${SCIM_COMPLIANCE_REPORT:-}" ]]; then
    cp "$WORK/plain.txt" "$SCIM_COMPLIANCE_REPORT"
    cp "$WORK/server.log" "$SCIM_COMPLIANCE_REPORT.server.log"
fi
echo "scim2-cli $SCIM2_CLI_VERSION compliance: $PASSED passed, $OTHER failed"
if [[ $STATUS -ne 0 || "$OTHER" -ne 0 || "$PASSED" -eq 0 ]]; then
    echo "SCIM compliance FAILED (scim2 exit status $STATUS); server log:" >&2
    grep -v 'not found' "$WORK/server.log" | tail -n 50 >&2
    exit 1
fi
