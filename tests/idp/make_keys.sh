#!/usr/bin/env bash
# Create the test IdP's signing keys in OUTDIR with the openssl CLI:
#   idp.key / idp.crt   the IdP's real signing key (configure idp.crt at the SP)
#   alt.key / alt.crt   an alternate key the SP does not know (for key=alt attack tests)
# Both are RSA 2048, self-signed, CN "Microsoft Azure Federated SSO Certificate", valid 3 years,
# like the certificates Entra ID issues. Keys are created at test run time; never commit them.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"

for name in idp alt; do
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 \
        -keyout "$out/$name.key" -out "$out/$name.crt" \
        -days 1095 -subj "/CN=Microsoft Azure Federated SSO Certificate" \
        >/dev/null 2>&1 || { echo "make_keys.sh: openssl failed for $name" >&2; exit 1; }
    chmod 600 "$out/$name.key"
done
echo "make_keys.sh: wrote idp.key idp.crt alt.key alt.crt in $out"
