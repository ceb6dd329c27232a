#!/usr/bin/env bash
# Smoke test of the independent SAML test IdP (tests/idp/test_idp.py).
#
#   tests/idp/selftest.sh
#
# Makes keys, starts the IdP on a free port, mints Responses in every signing mode and checks
# them with `xmlsec1 --verify` against the IdP certificate (and that key=alt does NOT verify),
# drives /saml2/sso with a hand-made deflated AuthnRequest, checks the Redirect-binding query
# signatures of /saml2/logout and /saml2/idp-logout with `openssl dgst -sha256 -verify`, then
# stops the server. Exits non-zero on any failure. Needs python3, xmlsec1, openssl, curl.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/test-idp-selftest.XXXXXX")
PID=
PASS=0
FAIL=0

cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

pass() { PASS=$((PASS + 1)); echo "ok   $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

# check "description" command...: the command's success is the check's result.
check() {
    local desc=$1
    shift
    if "$@" >"$TMP/check.log" 2>&1; then
        pass "$desc"
    else
        fail "$desc"
        tail -n 15 "$TMP/check.log" | sed 's/^/       /'
    fi
}

# refute "description" command...: the command must fail.
refute() {
    local desc=$1
    shift
    if "$@" >"$TMP/check.log" 2>&1; then
        fail "$desc (unexpectedly succeeded)"
    else
        pass "$desc"
    fi
}

for tool in python3 xmlsec1 openssl curl; do
    command -v "$tool" >/dev/null || { echo "selftest: $tool is not on PATH" >&2; exit 1; }
done

# Resolve the interpreter once (a pyenv shim costs ~0.2 s per start).
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
NS_SAML=urn:oasis:names:tc:SAML:2.0:assertion
NS_SAMLP=urn:oasis:names:tc:SAML:2.0:protocol
DSIG=http://www.w3.org/2000/09/xmldsig#
ISSUER=https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/
SP=https://sp.test/saml2
SP_SLO=https://sp.test/saml2/logout
ASSERTION_SIG="//*[local-name()='Assertion' and namespace-uri()='$NS_SAML']/*[local-name()='Signature' and namespace-uri()='$DSIG']"
RESPONSE_SIG="/*/*[local-name()='Signature' and namespace-uri()='$DSIG']"

# xml_verify FILE CERT XPATH — verify one signature with the given certificate only.
xml_verify() {
    xmlsec1 --verify --pubkey-cert-pem "$2" \
        --id-attr:ID "$NS_SAML:Assertion" --id-attr:ID "$NS_SAMLP:Response" \
        --id-attr:ID "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor" \
        --node-xpath "$3" "$1"
}

# query_verify DIR PUBKEY — verify DIR/signed.txt against DIR/signature.bin.
query_verify() {
    openssl dgst -sha256 -verify "$2" -signature "$1/signature.bin" "$1/signed.txt"
}

# ---------------------------------------------------------------------------------------------
# A small Python helper for building requests and inspecting what the IdP returns. It is part
# of the test, not of the IdP, and uses only the standard library.
cat >"$TMP/helper.py" <<'PY'
import base64, datetime as dt, html.parser, json, os, re, sys, urllib.parse, zlib
import xml.etree.ElementTree as ET

NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
      "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}
ID_RE = re.compile(r"^_[0-9a-f]{32}$")
GUID_ID_RE = re.compile(r"^_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def fail(msg):
    sys.exit(f"check failed: {msg}")


def expect(cond, msg):
    if not cond:
        fail(msg)


def deflate_b64(xml):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(c.compress(xml.encode()) + c.flush()).decode()


def inflate_b64(value):
    return zlib.decompress(base64.b64decode(value), -15).decode()


def parse_time(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def authn_request(req_id, acs, issuer):
    """A deflated+base64 AuthnRequest like an SP sends (printed URL-encoded)."""
    xml = (f'<samlp:AuthnRequest xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}"'
           f' ID="{req_id}" Version="2.0" IssueInstant="2030-01-01T10:00:00Z"'
           f' Destination="http://idp.test/saml2/sso" AssertionConsumerServiceURL="{acs}"'
           f' ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">'
           f"<saml:Issuer>{issuer}</saml:Issuer>"
           f'<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"'
           f' AllowCreate="true"/></samlp:AuthnRequest>')
    print(urllib.parse.quote(deflate_b64(xml), safe=""))


def logout_request(req_id, issuer, name_id, session_index):
    xml = (f'<samlp:LogoutRequest xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}"'
           f' ID="{req_id}" Version="2.0" IssueInstant="2030-01-01T10:00:00Z"'
           f' Destination="http://idp.test/saml2/logout"><saml:Issuer>{issuer}</saml:Issuer>'
           f"<saml:NameID>{name_id}</saml:NameID>"
           f"<samlp:SessionIndex>{session_index}</samlp:SessionIndex></samlp:LogoutRequest>")
    print(urllib.parse.quote(deflate_b64(xml), safe=""))


def logout_response(in_response_to):
    xml = (f'<samlp:LogoutResponse xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}"'
           f' ID="_spresp" Version="2.0" IssueInstant="2030-01-01T10:00:00Z"'
           f' InResponseTo="{in_response_to}"><saml:Issuer>https://sp.test/entity</saml:Issuer>'
           f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
           f"</samlp:Status></samlp:LogoutResponse>")
    print(urllib.parse.quote(deflate_b64(xml), safe=""))


def json_response(path, out):
    """Write the decoded SAMLResponse of a /_response JSON answer to `out`."""
    with open(path) as f:
        data = json.load(f)
    xml = base64.b64decode(data["SAMLResponse"]).decode()
    expect(xml == data["xml"], "xml and SAMLResponse differ")
    with open(out, "w") as f:
        f.write(xml)


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields, self.buttons, self.text = None, {}, [], ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")

    def handle_data(self, data):
        self.text += data


def post_form(page, out, expect_action, expect_relay):
    """Parse the auto-submitting POST page; write the decoded SAMLResponse to `out`."""
    p = FormParser()
    with open(page) as f:
        src = f.read()
    p.feed(src)
    expect(p.action == expect_action, f"form action {p.action!r} != {expect_action!r}")
    expect("Continue to the application" in p.text, "no visible 'Continue to the application'")
    expect(".submit()" in src, "the page does not auto-submit")
    relay = p.fields.get("RelayState")
    expect(relay == (expect_relay or None), f"RelayState {relay!r} != {expect_relay!r}")
    with open(out, "w") as f:
        f.write(base64.b64decode(p.fields["SAMLResponse"]).decode())


def sign_in_page(page):
    p = FormParser()
    with open(page) as f:
        p.feed(f.read())
    expect("Test IdP — sign in as:" in p.text, "no sign-in heading")
    expect("SAMLRequest" in p.fields, "the sign-in form does not carry SAMLRequest")
    with open(page) as f:
        src = f.read()
    expect('<label for="user">' in src and 'name="user"' in src, "no labelled user input")


def response(path, *specs):
    """Check a Response against key=value expectations (see the branches below)."""
    with open(path) as f:
        src = f.read()
    root = ET.fromstring(src)
    want = dict(s.split("=", 1) for s in specs)
    expect(root.tag == f"{{{NS['samlp']}}}Response", "root is not samlp:Response")
    expect(ID_RE.match(root.get("ID")), f"Response ID {root.get('ID')!r} is not _+32 hex")
    assertion = root.find("saml:Assertion", NS)
    kids = list(root)
    expect(kids[0].tag == f"{{{NS['saml']}}}Issuer", "Response does not start with Issuer")
    status = root.find("samlp:Status/samlp:StatusCode", NS).get("Value")
    expect(status.endswith(":" + want.get("status", "Success")), f"status {status}")
    sigs = want.get("signed", "assertion")
    resp_sig = kids[1].tag == f"{{{NS['ds']}}}Signature"
    expect(resp_sig == (sigs in ("response", "both")), f"Response signature present={resp_sig}")
    expect(len(root.findall("ds:Signature", NS)) == int(resp_sig), "stray Response signatures")
    if "status" in want:
        expect(assertion is None, "an error Response carries an Assertion")
        msg = root.find("samlp:Status/samlp:StatusMessage", NS)
        expect(msg is not None and msg.text.startswith("AADSTS50105"), "no AADSTS message")
        return
    expect(assertion is not None, "no Assertion")
    expect(ID_RE.match(assertion.get("ID")), "Assertion ID is not _+32 hex")
    akids = list(assertion)
    expect(akids[0].tag == f"{{{NS['saml']}}}Issuer", "Assertion does not start with Issuer")
    asig = akids[1].tag == f"{{{NS['ds']}}}Signature"
    expect(asig == (sigs in ("assertion", "both")), f"Assertion signature present={asig}")
    for sig in root.iter(f"{{{NS['ds']}}}Signature"):
        expect("xmlns=\"http://www.w3.org/2000/09/xmldsig#\"" in src, "Signature not unprefixed")
        alg = sig.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm")
        dig = sig.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS).get("Algorithm")
        c14n = sig.find("ds:SignedInfo/ds:CanonicalizationMethod", NS).get("Algorithm")
        expect(c14n == "http://www.w3.org/2001/10/xml-exc-c14n#", f"c14n {c14n}")
        transforms = [t.get("Algorithm") for t in sig.findall(".//ds:Transform", NS)]
        expect(transforms == ["http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                              "http://www.w3.org/2001/10/xml-exc-c14n#"], f"transforms {transforms}")
        if want.get("sha1") == "1":
            expect(alg.endswith("#rsa-sha1") and dig.endswith("#sha1"), f"{alg} {dig}")
        else:
            expect(alg.endswith("#rsa-sha256") and dig.endswith("#sha256"), f"{alg} {dig}")
        cert = sig.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
        expect(cert is not None and re.fullmatch(r"[A-Za-z0-9+/=]+", cert.text),
               "KeyInfo certificate missing or wrapped")
        expect(re.fullmatch(r"[A-Za-z0-9+/=]+", sig.find("ds:SignatureValue", NS).text),
               "SignatureValue wrapped")
        ref = sig.find("ds:SignedInfo/ds:Reference", NS).get("URI")
        parent = root if sig in kids else assertion
        expect(ref == "#" + parent.get("ID"), f"Reference {ref} does not point at its parent")
    issuer = assertion.find("saml:Issuer", NS).text
    expect(issuer == want.get("issuer", issuer), f"Issuer {issuer}")
    expect(root.find("saml:Issuer", NS).text == issuer, "Response and Assertion issuers differ")
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    expect(name_id.text == want.get("user", name_id.text), f"NameID {name_id.text!r}")
    if "nameid_format" in want:
        expect(name_id.get("Format") == want["nameid_format"], f"Format {name_id.get('Format')}")
    scd = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    irt = want.get("in_response_to")
    expect(root.get("InResponseTo") == irt, f"Response InResponseTo {root.get('InResponseTo')}")
    expect(scd.get("InResponseTo") == irt, f"SCD InResponseTo {scd.get('InResponseTo')}")
    expect(root.get("Destination") == want["acs"], f"Destination {root.get('Destination')}")
    expect(scd.get("Recipient") == want["acs"], f"Recipient {scd.get('Recipient')}")
    audience = assertion.find("saml:Conditions/saml:AudienceRestriction/saml:Audience", NS)
    expect(audience is not None and audience.text == want["audience"],
           f"Audience {audience.text if audience is not None else None}")
    cond = assertion.find("saml:Conditions", NS)
    issued = parse_time(root.get("IssueInstant"))
    expect(parse_time(cond.get("NotBefore")) == issued, "NotBefore != IssueInstant")
    expect(parse_time(cond.get("NotOnOrAfter")) - issued == dt.timedelta(minutes=70), "not +70 min")
    expect(parse_time(scd.get("NotOnOrAfter")) - issued == dt.timedelta(minutes=5), "SCD not +5 min")
    drift = issued - dt.datetime.now(dt.timezone.utc)
    shift = dt.timedelta(minutes=int(want.get("shift_minutes", "0")))
    expect(abs(drift - shift) < dt.timedelta(minutes=1), f"IssueInstant {issued} not now{shift}")
    authn = assertion.find("saml:AuthnStatement", NS)
    session = authn.get("SessionIndex")
    if "session_index" in want:
        expect(session == want["session_index"], f"SessionIndex {session}")
    else:
        expect(GUID_ID_RE.match(session), f"SessionIndex {session} is not _<guid>")
    claims = {a.get("Name").rsplit("/", 1)[-1]: [v.text for v in a.findall("saml:AttributeValue", NS)]
              for a in assertion.findall("saml:AttributeStatement/saml:Attribute", NS)}
    for claim in ("emailaddress", "name", "givenname", "surname", "tenantid", "objectidentifier"):
        expect(claim in claims, f"claim {claim} missing")
    expect(claims["tenantid"] == ["72f988bf-86f1-41af-91ab-2d7cd011db47"], "tenantid")
    expect(claims["emailaddress"] == [name_id.text], "emailaddress != NameID")


def split_redirect(location, out_dir, param, expect_prefix):
    """Split a Redirect-binding URL: signed octets, signature, inflated message, fields."""
    expect(location.startswith(expect_prefix + "?"), f"{location[:80]} does not go to {expect_prefix}")
    raw = dict(p.split("=", 1) for p in location.split("?", 1)[1].split("&"))
    # SAML bindings §3.4.4.1: param=value[&RelayState=value]&SigAlg=value, as sent (URL-encoded).
    signed = f"{param}={raw[param]}"
    if "RelayState" in raw:
        signed += f"&RelayState={raw['RelayState']}"
    if "SigAlg" in raw:
        signed += f"&SigAlg={raw['SigAlg']}"
        with open(os.path.join(out_dir, "signature.bin"), "wb") as f:
            f.write(base64.b64decode(urllib.parse.unquote(raw["Signature"])))
    with open(os.path.join(out_dir, "signed.txt"), "w") as f:
        f.write(signed)
    xml = inflate_b64(urllib.parse.unquote(raw[param]))
    with open(os.path.join(out_dir, "message.xml"), "w") as f:
        f.write(xml)
    root = ET.fromstring(xml)
    code = root.find("samlp:Status/samlp:StatusCode", NS)
    info = {
        "root": root.tag.rsplit("}", 1)[1], "id": root.get("ID"),
        "in_response_to": root.get("InResponseTo"), "destination": root.get("Destination"),
        "issuer": root.find("saml:Issuer", NS).text,
        "status": code.get("Value") if code is not None else None,
        "name_id": getattr(root.find("saml:NameID", NS), "text", None),
        "session_index": getattr(root.find("samlp:SessionIndex", NS), "text", None),
        "relay_state": urllib.parse.unquote(raw["RelayState"]) if "RelayState" in raw else None,
        "sig_alg": urllib.parse.unquote(raw["SigAlg"]) if "SigAlg" in raw else None,
        "signed": "Signature" in raw,
    }
    with open(os.path.join(out_dir, "info.json"), "w") as f:
        json.dump(info, f)


def fields(path, *specs):
    """Check key=value pairs of a JSON object (value `null` = JSON null, `ID` = _+32 hex)."""
    with open(path) as f:
        data = json.load(f)
    for spec in specs:
        key, value = spec.split("=", 1)
        got = data.get(key)
        if value == "null":
            expect(got is None, f"{key}={got!r}, expected null")
        elif value == "ID":
            expect(isinstance(got, str) and ID_RE.match(got), f"{key}={got!r} is not _+32 hex")
        else:
            expect(str(got).lower() == value.lower() if isinstance(got, bool) else got == value,
                   f"{key}={got!r}, expected {value!r}")


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY
helper() { "$PYTHON" "$TMP/helper.py" "$@"; }

# ---------------------------------------------------------------------------------------------
echo "== keys and server"
KEYS=$TMP/keys
check "make_keys.sh creates idp/alt keys and certificates" "$HERE/make_keys.sh" "$KEYS"
for f in idp.key idp.crt alt.key alt.crt; do
    [ -s "$KEYS/$f" ] || { echo "FAIL $f missing"; exit 1; }
done
check "certificate subject is Entra's" \
    bash -c "openssl x509 -in '$KEYS/idp.crt' -noout -subject | grep -q 'CN *= *Microsoft Azure Federated SSO Certificate'"
openssl x509 -in "$KEYS/idp.crt" -pubkey -noout >"$KEYS/idp.pub"
openssl x509 -in "$KEYS/alt.crt" -pubkey -noout >"$KEYS/alt.pub"

"$PYTHON" "$HERE/test_idp.py" --port 0 --issuer "$ISSUER" --key "$KEYS/idp.key" --cert "$KEYS/idp.crt" \
    --alt-key "$KEYS/alt.key" --alt-cert "$KEYS/alt.crt" --sp-slo "$SP_SLO" \
    >"$TMP/idp.out" 2>"$TMP/idp.err" &
PID=$!
BASE=
for _ in $(seq 1 100); do
    BASE=$(sed -n 's/^READY \(http:.*\)$/\1/p' "$TMP/idp.out")
    [ -n "$BASE" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$BASE" ]; then
    echo "FAIL the IdP did not print READY"
    cat "$TMP/idp.err"
    exit 1
fi
pass "server printed READY $BASE"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "GET /healthz → 200" test "$(code "$BASE/healthz")" = 200
check "GET /_last_logout_request → 404 before any logout" test "$(code "$BASE/_last_logout_request")" = 404
check "GET /nope → 404" test "$(code "$BASE/nope")" = 404
check "/_response without user → 400" test "$(code "$BASE/_response?acs=$SP")" = 400

# ---------------------------------------------------------------------------------------------
echo "== /_response: signing modes"
Q="user=a@b.test&acs=https://sp.test/saml2&audience=https://sp.test/saml2"
EXPECT=(acs=$SP audience=$SP user=a@b.test issuer=$ISSUER)
for mode in assertion response both; do
    curl -sf "$BASE/_response?$Q&mode=$mode" >"$TMP/$mode.json" && helper json-response "$TMP/$mode.json" "$TMP/$mode.xml" \
        || fail "fetch mode=$mode"
    check "mode=$mode: Entra-shaped Response" helper response "$TMP/$mode.xml" signed=$mode "${EXPECT[@]}"
    check "mode=$mode: JSON fields" helper fields "$TMP/$mode.json" acs=$SP RelayState=null \
        response_id=ID assertion_id=ID in_response_to=null
    if [ "$mode" != response ]; then
        check "mode=$mode: Assertion signature verifies with idp.crt" xml_verify "$TMP/$mode.xml" "$KEYS/idp.crt" "$ASSERTION_SIG"
        refute "mode=$mode: Assertion signature does not verify with alt.crt" xml_verify "$TMP/$mode.xml" "$KEYS/alt.crt" "$ASSERTION_SIG"
    fi
    if [ "$mode" != assertion ]; then
        check "mode=$mode: Response signature verifies with idp.crt" xml_verify "$TMP/$mode.xml" "$KEYS/idp.crt" "$RESPONSE_SIG"
        refute "mode=$mode: Response signature does not verify with alt.crt" xml_verify "$TMP/$mode.xml" "$KEYS/alt.crt" "$RESPONSE_SIG"
    fi
done

curl -sf "$BASE/_response?$Q&mode=none" >"$TMP/none.json" && helper json-response "$TMP/none.json" "$TMP/none.xml"
check "mode=none: no signature at all" bash -c "! grep -q '<Signature' '$TMP/none.xml'"

echo "== /_response: attack variants"
for mode in assertion response both; do
    curl -sf "$BASE/_response?$Q&mode=$mode&key=alt" >"$TMP/alt.json" && helper json-response "$TMP/alt.json" "$TMP/alt-$mode.xml"
    sig=$ASSERTION_SIG
    [ "$mode" = response ] && sig=$RESPONSE_SIG
    refute "key=alt mode=$mode: fails verification against idp.crt" xml_verify "$TMP/alt-$mode.xml" "$KEYS/idp.crt" "$sig"
    check "key=alt mode=$mode: is a valid signature by alt.crt" xml_verify "$TMP/alt-$mode.xml" "$KEYS/alt.crt" "$sig"
done
if grep -q "$(sed -n 2p "$KEYS/alt.crt" | cut -c1-40)" "$TMP/alt-assertion.xml"; then
    pass "key=alt: KeyInfo carries the alternate certificate"
else
    fail "key=alt: KeyInfo carries the alternate certificate"
fi

curl -sf "$BASE/_response?$Q&sha1=1" >"$TMP/sha1.json" && helper json-response "$TMP/sha1.json" "$TMP/sha1.xml"
check "sha1=1: rsa-sha1 / sha1 algorithms" helper response "$TMP/sha1.xml" sha1=1 "${EXPECT[@]}"
check "sha1=1: still a valid signature by idp.crt (the SP must refuse it by policy)" \
    xml_verify "$TMP/sha1.xml" "$KEYS/idp.crt" "$ASSERTION_SIG"

for mode in assertion response; do
    curl -sf "$BASE/_response?$Q&status=Requester&mode=$mode" >"$TMP/err.json" && helper json-response "$TMP/err.json" "$TMP/err-$mode.xml"
    expected_sig=none
    [ "$mode" = response ] && expected_sig=response
    check "status=Requester mode=$mode: Requester + AADSTS message, no Assertion (signed=$expected_sig)" \
        helper response "$TMP/err-$mode.xml" status=Requester signed=$expected_sig
done
check "status=Requester mode=response: Response signature verifies" \
    xml_verify "$TMP/err-response.xml" "$KEYS/idp.crt" "$RESPONSE_SIG"

curl -sf "$BASE/_response?$Q&shift_minutes=-200" >"$TMP/old.json" && helper json-response "$TMP/old.json" "$TMP/old.xml"
check "shift_minutes=-200: all instants 200 minutes in the past" \
    helper response "$TMP/old.xml" shift_minutes=-200 "${EXPECT[@]}"
check "shift_minutes=-200: still verifies" xml_verify "$TMP/old.xml" "$KEYS/idp.crt" "$ASSERTION_SIG"

OVR="user=o%27neil%26%3Cx%3E%40b.test&acs=$SP&audience=https%3A%2F%2Fother.test%2F&issuer=https%3A%2F%2Fevil.test%2F&in_response_to=_forged&nameid_format=persistent&session_index=_s1&mode=both"
curl -sf "$BASE/_response?$OVR" >"$TMP/ovr.json" && helper json-response "$TMP/ovr.json" "$TMP/ovr.xml"
check "overrides (issuer, audience, in_response_to, nameid_format, session_index) + XML escaping" \
    helper response "$TMP/ovr.xml" signed=both "acs=$SP" "audience=https://other.test/" \
    "user=o'neil&<x>@b.test" issuer=https://evil.test/ in_response_to=_forged \
    nameid_format=urn:oasis:names:tc:SAML:2.0:nameid-format:persistent session_index=_s1
check "overrides: Assertion signature verifies" xml_verify "$TMP/ovr.xml" "$KEYS/idp.crt" "$ASSERTION_SIG"
check "overrides: Response signature verifies" xml_verify "$TMP/ovr.xml" "$KEYS/idp.crt" "$RESPONSE_SIG"

# ---------------------------------------------------------------------------------------------
echo "== /saml2/sso (HTTP-Redirect AuthnRequest → HTTP-POST Response)"
REQ_ID=_0123456789abcdef0123456789abcdef
SP_ACS=https://sp.test/saml2/acs
SP_ENTITY=https://sp.test/entity
SAMLREQ=$(helper authn-request "$REQ_ID" "$SP_ACS" "$SP_ENTITY")
RS='state/1 &x=y'
RS_ENC=$("$PYTHON" -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$RS")

curl -sf "$BASE/saml2/sso?SAMLRequest=$SAMLREQ&RelayState=$RS_ENC" >"$TMP/signin.html"
check "no user/login_hint → sign-in page carrying the request" helper sign-in-page "$TMP/signin.html"

curl -sf "$BASE/saml2/sso?SAMLRequest=$SAMLREQ&RelayState=$RS_ENC&user=alice%40b.test" >"$TMP/post.html"
check "user=: auto-submitting POST page to the ACS with RelayState echoed" \
    helper post-form "$TMP/post.html" "$TMP/sso.xml" "$SP_ACS" "$RS"
check "InResponseTo = request ID, Destination/Recipient = ACS, Audience = SP Issuer" \
    helper response "$TMP/sso.xml" "acs=$SP_ACS" "audience=$SP_ENTITY" user=alice@b.test in_response_to=$REQ_ID
check "SSO Response verifies with idp.crt" xml_verify "$TMP/sso.xml" "$KEYS/idp.crt" "$ASSERTION_SIG"
curl -sf "$BASE/_last_authn_request" >"$TMP/last-authn.json"
check "/_last_authn_request records the AuthnRequest" helper fields "$TMP/last-authn.json" \
    id=$REQ_ID acs=$SP_ACS issuer=$SP_ENTITY "relay_state=$RS" signed=false

curl -sf "$BASE/saml2/sso?SAMLRequest=$SAMLREQ&login_hint=hint%40b.test&mode=response" >"$TMP/post2.html"
check "login_hint= signs in that user (no RelayState → none echoed)" \
    helper post-form "$TMP/post2.html" "$TMP/sso2.xml" "$SP_ACS" ""
check "login_hint Response: NameID and mode=response" helper response "$TMP/sso2.xml" signed=response \
    "acs=$SP_ACS" "audience=$SP_ENTITY" user=hint@b.test in_response_to=$REQ_ID

curl -sf "$BASE/saml2?SAMLRequest=$SAMLREQ&user=c%40b.test" >"$TMP/post3.html"
check "/saml2 (Entra's single URL) dispatches an AuthnRequest to SSO" \
    helper post-form "$TMP/post3.html" "$TMP/sso3.xml" "$SP_ACS" ""

curl -sf "$BASE/_response?request=$SAMLREQ&user=d%40b.test&relay_state=rs9" >"$TMP/req.json" && helper json-response "$TMP/req.json" "$TMP/req.xml"
check "/_response?request=… answers that AuthnRequest" helper response "$TMP/req.xml" \
    "acs=$SP_ACS" "audience=$SP_ENTITY" user=d@b.test in_response_to=$REQ_ID
check "/_response?request=…: JSON acs and RelayState" helper fields "$TMP/req.json" acs=$SP_ACS RelayState=rs9

echo "== /saml2/idp-initiated"
curl -sf "$BASE/saml2/idp-initiated?user=e%40b.test&acs=$SP_ACS&audience=$SP_ENTITY&relay_state=%2Fapp" >"$TMP/idpinit.html"
check "unsolicited POST page with relay_state" helper post-form "$TMP/idpinit.html" "$TMP/idpinit.xml" "$SP_ACS" "/app"
check "unsolicited Response: no InResponseTo" helper response "$TMP/idpinit.xml" \
    "acs=$SP_ACS" "audience=$SP_ENTITY" user=e@b.test
check "unsolicited Response verifies" xml_verify "$TMP/idpinit.xml" "$KEYS/idp.crt" "$ASSERTION_SIG"

# ---------------------------------------------------------------------------------------------
echo "== /saml2/logout (SP-initiated logout → signed LogoutResponse, Redirect binding)"
# location URL → prints the Location of a 302 (and fails otherwise)
location() {
    curl -s -o /dev/null -D "$TMP/headers.txt" "$1"
    grep -qi '^HTTP/1.1 302' "$TMP/headers.txt" || return 1
    sed -n 's/^[Ll]ocation: \(.*\)\r$/\1/p' "$TMP/headers.txt"
}
LREQ_ID=_fedcba9876543210fedcba9876543210
LOGOUTREQ=$(helper logout-request "$LREQ_ID" "$SP_ENTITY" alice@b.test _sess-1)
SLO_OTHER=https://sp.test/other/logout
mkdir -p "$TMP/lo1" "$TMP/lo2" "$TMP/lo3" "$TMP/il1" "$TMP/il2" "$TMP/il3"

LOC=$(location "$BASE/saml2/logout?SAMLRequest=$LOGOUTREQ&RelayState=$RS_ENC&slo=$SLO_OTHER")
check "302 to slo= with a LogoutResponse" helper split-redirect "$LOC" "$TMP/lo1" SAMLResponse "$SLO_OTHER"
check "query signature (SAMLResponse&RelayState&SigAlg) verifies with openssl" query_verify "$TMP/lo1" "$KEYS/idp.pub"
refute "query signature does not verify with the alternate key" query_verify "$TMP/lo1" "$KEYS/alt.pub"
check "LogoutResponse: InResponseTo, Issuer, Destination, Success, RelayState, SigAlg" \
    helper fields "$TMP/lo1/info.json" root=LogoutResponse id=ID in_response_to=$LREQ_ID issuer=$ISSUER \
    destination=$SLO_OTHER status=urn:oasis:names:tc:SAML:2.0:status:Success "relay_state=$RS" \
    sig_alg=http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
curl -sf "$BASE/_last_logout_request" >"$TMP/last-logout.json"
check "/_last_logout_request records id, issuer, name_id, session_index" helper fields "$TMP/last-logout.json" \
    id=$LREQ_ID issuer=$SP_ENTITY name_id=alice@b.test session_index=_sess-1

LOC=$(location "$BASE/saml2/logout?SAMLRequest=$LOGOUTREQ")
check "without slo= → --sp-slo; without RelayState" helper split-redirect "$LOC" "$TMP/lo2" SAMLResponse "$SP_SLO"
check "query signature without RelayState verifies" query_verify "$TMP/lo2" "$KEYS/idp.pub"
check "no RelayState echoed" helper fields "$TMP/lo2/info.json" relay_state=null destination=$SP_SLO

LOC=$(location "$BASE/saml2?SAMLRequest=$LOGOUTREQ&key=alt")
check "/saml2 dispatches a LogoutRequest; key=alt" helper split-redirect "$LOC" "$TMP/lo3" SAMLResponse "$SP_SLO"
refute "key=alt LogoutResponse does not verify with idp.pub" query_verify "$TMP/lo3" "$KEYS/idp.pub"
check "key=alt LogoutResponse verifies with alt.pub" query_verify "$TMP/lo3" "$KEYS/alt.pub"

echo "== /saml2/idp-logout (IdP-initiated LogoutRequest, Redirect binding)"
LOC=$(location "$BASE/saml2/idp-logout?user=alice%40b.test&session_index=_sess-2&slo=$SLO_OTHER&relay_state=rs2")
check "302 to slo= with a LogoutRequest" helper split-redirect "$LOC" "$TMP/il1" SAMLRequest "$SLO_OTHER"
check "query signature (SAMLRequest&RelayState&SigAlg) verifies with openssl" query_verify "$TMP/il1" "$KEYS/idp.pub"
check "LogoutRequest: ID, Issuer, Destination, NameID, SessionIndex" helper fields "$TMP/il1/info.json" \
    root=LogoutRequest id=ID issuer=$ISSUER destination=$SLO_OTHER name_id=alice@b.test \
    session_index=_sess-2 relay_state=rs2 signed=true
IL_ID=$("$PYTHON" -c 'import json,sys;print(json.load(open(sys.argv[1]))["id"])' "$TMP/il1/info.json")

LOC=$(location "$BASE/saml2/idp-logout?user=alice%40b.test&session_index=_sess-2&key=alt")
check "key=alt: 302 to --sp-slo" helper split-redirect "$LOC" "$TMP/il2" SAMLRequest "$SP_SLO"
refute "key=alt: does not verify with idp.pub" query_verify "$TMP/il2" "$KEYS/idp.pub"
check "key=alt: verifies with alt.pub" query_verify "$TMP/il2" "$KEYS/alt.pub"

LOC=$(location "$BASE/saml2/idp-logout?user=alice%40b.test&unsigned=1")
check "unsigned=1: 302 with a LogoutRequest" helper split-redirect "$LOC" "$TMP/il3" SAMLRequest "$SP_SLO"
check "unsigned=1: no SigAlg/Signature, no SessionIndex" helper fields "$TMP/il3/info.json" \
    signed=false sig_alg=null session_index=null

SPRESP=$(helper logout-response "$IL_ID")
check "the SP's LogoutResponse at /saml2/logout → 200" test "$(code "$BASE/saml2/logout?SAMLResponse=$SPRESP&RelayState=rs2")" = 200
curl -sf "$BASE/_last_logout_response" >"$TMP/last-lresp.json"
check "/_last_logout_response records it" helper fields "$TMP/last-lresp.json" \
    in_response_to=$IL_ID status=urn:oasis:names:tc:SAML:2.0:status:Success relay_state=rs2

echo "== metadata"
curl -sf "$BASE/metadata" >"$TMP/metadata.xml"
check "/metadata is signed by idp.crt" xml_verify "$TMP/metadata.xml" "$KEYS/idp.crt" "$RESPONSE_SIG"

# ---------------------------------------------------------------------------------------------
echo "== stop"
kill "$PID"
wait "$PID"
rc=$?
PID=
check "server exits cleanly on SIGTERM (rc=$rc)" test "$rc" = 0
check "server logged no errors" bash -c "! grep -q 'test_idp: error' '$TMP/idp.err'"

echo
echo "selftest: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
