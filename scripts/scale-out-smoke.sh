#!/usr/bin/env bash
# The scale-out set-up of docker/compose.yaml (profile scale-out), checked without Docker:
# two `gatehouse serve` processes on one PostgreSQL behind nginx, configured from
# docker/nginx/gatehouse.conf. Through the balancer it signs in as the operator, creates a
# tenant, signs in as its admin and provisions a user over SCIM, and proves the requests
# were answered by both replicas, with each replica seeing what the other wrote. Then it
# scrapes both replicas' /metrics and checks the Grafana dashboard's queries against them.
#
#   scripts/scale-out-smoke.sh
#
# Needs: nginx (apt-get install nginx-light), curl, python3, psql, a PostgreSQL reachable at
# SMOKE_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432; a database is created for
# the run and dropped after), and a built binary (GATEHOUSE_BIN, default target/debug/gatehouse;
# `cargo build -p gatehouse-server`). Ports: SMOKE_PORT_BASE (default 18080) .. +2.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GATEHOUSE_BIN:-$root/target/debug/gatehouse}
pg=${SMOKE_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
base=${SMOKE_PORT_BASE:-18080}
lb_port=$base p1=$((base + 1)) p2=$((base + 2))
public="http://127.0.0.1:$lb_port"
db="gatehouse_smoke_$$"
work=$(mktemp -d)
pids=()

fail() { echo "scale-out smoke: FAILED: $*" >&2; exit 1; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  if [ "${SMOKE_KEEP:-}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

[ -x "$bin" ] || fail "no binary at $bin (cargo build -p gatehouse-server)"
command -v nginx >/dev/null || fail "nginx is not installed"

psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="$pg/$db"
export GATEHOUSE_PUBLIC_URL="$public"
# nginx (on this host) is the one proxy whose X-Forwarded-For the replicas believe.
export GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32
export GATEHOUSE_BOOTSTRAP_EMAIL=ops@smoke.test
export GATEHOUSE_BOOTSTRAP_PASSWORD="smoke-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

wait_ready() {
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "replica on :$1 never became ready (log: $work/replica-$1.log)"
}

# As in the compose file: the first replica migrates and bootstraps, the second follows.
GATEHOUSE_LISTEN="127.0.0.1:$p1" "$bin" serve >"$work/replica-$p1.log" 2>&1 &
pids+=($!)
wait_ready "$p1"
GATEHOUSE_LISTEN="127.0.0.1:$p2" "$bin" serve >"$work/replica-$p2.log" 2>&1 &
pids+=($!)
wait_ready "$p2"

# The compose profile's nginx configuration, pointed at the local replicas.
sed -e "s/replica-1:8080/127.0.0.1:$p1/" -e "s/replica-2:8080/127.0.0.1:$p2/" \
    -e "s/listen 8080;/listen 127.0.0.1:$lb_port;/" "$root/docker/nginx/gatehouse.conf" >"$work/gatehouse.conf"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/client_body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  include $work/gatehouse.conf;
}
NGINX
nginx -t -q -c "$work/nginx.conf" -p "$work" || fail "nginx -t refused the configuration"
nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -fsS "$public/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# A GraphQL call through the balancer: prints "<replica>\t<body>".
gql() { # cookie-jar query [variables-json]
  local vars=${3:-"{}"}
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$2" "$vars")
  curl -sS -D "$work/headers" -b "$1" -c "$1" -H 'content-type: application/json' -H "origin: $public" \
    --data "$body" "$public/graphql" >"$work/body"
  printf '%s\t%s\n' "$(tr -d '\r' <"$work/headers" | sed -n 's/^x-gatehouse-upstream: //Ip')" "$(cat "$work/body")"
}
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); [d:=d[int(k) if k.isdigit() else k] for k in sys.argv[1].split(".")]; print(d)' "$1"; }

ops="$work/ops.jar" admin="$work/admin.jar"
out=$(gql "$ops" 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ me { email } } }' \
  "{\"e\":\"$GATEHOUSE_BOOTSTRAP_EMAIL\",\"p\":\"$GATEHOUSE_BOOTSTRAP_PASSWORD\"}")
[ "$(cut -f2- <<<"$out" | json data.signIn.me.email)" = "$GATEHOUSE_BOOTSTRAP_EMAIL" ] || fail "operator sign-in: $out"
echo "signed in as the operator via $(cut -f1 <<<"$out")"

# The session works on whichever replica answers; both must answer.
declare -A seen=()
for i in $(seq 1 10); do
  out=$(gql "$ops" '{ me { email } }')
  [ "$(cut -f2- <<<"$out" | json data.me.email)" = "$GATEHOUSE_BOOTSTRAP_EMAIL" ] || fail "request $i lost the session: $out"
  seen[$(cut -f1 <<<"$out")]=1
done
echo "the operator's session answered by: ${!seen[*]}"
[ "${#seen[@]}" -eq 2 ] || fail "the balancer did not alternate between the two replicas"

# A write on one replica is read on the other: a tenant, its admin, a SCIM token, a user.
out=$(gql "$ops" 'mutation($i:CreateTenantInput!){ createTenant(input:$i){ tenant { slug } } }' \
  '{"i":{"slug":"smoke","name":"Smoke","adminEmail":"admin@smoke.test","adminPassword":"correct horse battery staple"}}')
[ "$(cut -f2- <<<"$out" | json data.createTenant.tenant.slug)" = smoke ] || fail "createTenant: $out"
for i in 1 2 3 4; do
  out=$(gql "$ops" '{ tenants { edges { node { slug } } } }')
  grep -q '"smoke"' <<<"$out" || fail "the new tenant is missing on $(cut -f1 <<<"$out")"
done
out=$(gql "$admin" 'mutation { signIn(email:"admin@smoke.test", password:"correct horse battery staple"){ me { email } } }')
grep -q admin@smoke.test <<<"$out" || fail "tenant admin sign-in: $out"
out=$(gql "$admin" 'mutation { createScimToken { token } }')
token=$(cut -f2- <<<"$out" | json data.createScimToken.token)
user='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@smoke.test","active":true}'
code=$(curl -sS -o "$work/scim" -w '%{http_code}' -H "authorization: Bearer $token" \
  -H 'content-type: application/scim+json' --data "$user" "$public/scim/v2/smoke/Users")
[ "$code" = 201 ] || fail "SCIM create: $code $(cat "$work/scim")"
id=$(json id <"$work/scim")
for i in 1 2 3 4; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "$public/scim/v2/smoke/Users/$id")
  [ "$code" = 200 ] || fail "SCIM read $i: $code"
done
echo "tenant, admin session, SCIM token and user: written on one replica, read on both"

# Metrics: not through the balancer; each replica directly; the dashboard's queries exist.
[ "$(curl -s -o /dev/null -w '%{http_code}' "$public/metrics")" = 404 ] || fail "the balancer serves /metrics"
curl -fsS "http://127.0.0.1:$p1/metrics" >"$work/metrics-1"
curl -fsS "http://127.0.0.1:$p2/metrics" >"$work/metrics-2"
for f in "$work/metrics-1" "$work/metrics-2"; do
  grep -q '^gatehouse_http_request_duration_seconds_count{method="POST",route="/graphql"}' "$f" \
    || fail "a replica has no GraphQL latency series ($f)"
  grep -q '^gatehouse_db_pool_connections{state="idle"}' "$f" || fail "no pool gauges ($f)"
done
grep -qh '^gatehouse_scim_requests_total{method="GET",status="200"}' "$work/metrics-1" "$work/metrics-2" \
  || fail "no SCIM series on either replica"
! grep -q "$id" "$work/metrics-1" "$work/metrics-2" || fail "a raw path (with the user's id) became a series"
python3 "$root/scripts/check-dashboard.py" "$root/docker/grafana/dashboards/gatehouse.json" "$work/metrics-1" "$work/metrics-2"
python3 -c 'import sys,yaml; yaml.safe_load(open(sys.argv[1]))' "$root/docker/compose.yaml" || fail "compose.yaml is not YAML"
echo "scale-out smoke: OK"
