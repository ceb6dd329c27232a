#!/usr/bin/env python3
"""An independent SAML 2.0 test IdP for Gatehouse's end-to-end and browser tests.

Deliberately shares no code with Gatehouse: Python 3.11's standard library only, Debian's
`xmlsec1` CLI for XML signatures and the `openssl` CLI for Redirect-binding query-string
signatures. Its messages are shaped like Microsoft Entra ID's (see /work/shared/INTEROP.md).

    python3 tests/idp/test_idp.py --port PORT --issuer ISSUER --key KEY.pem --cert CERT.pem \
        [--alt-key ALT.pem --alt-cert ALT_CERT.pem] [--host 127.0.0.1] [--sp-slo URL] \
        [--tenant-id GUID] [--quiet]

Prints `READY http://HOST:PORT` on stdout once listening (`--port 0` picks a free port).
Every endpoint and parameter is described in README.md beside this file.
"""

import argparse
import atexit
import base64
import datetime as dt
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sp_verify  # noqa: E402 (the IdP's own module, beside this file)

# ---------------------------------------------------------------------------------------------
# Constants

NS_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"

STATUS_PREFIX = "urn:oasis:names:tc:SAML:2.0:status:"
STATUS_SUCCESS = STATUS_PREFIX + "Success"
DEFAULT_ERROR_MESSAGE = "AADSTS50105: test failure"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

NAMEID_FORMATS = {
    "emailAddress": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "email": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "unspecified": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "persistent": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "transient": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
}
DEFAULT_NAMEID_FORMAT = NAMEID_FORMATS["emailAddress"]

CLAIM_XMLSOAP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
CLAIM_MS = "http://schemas.microsoft.com/identity/claims/"
CLAIM_GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
CLAIM_AMR = "http://schemas.microsoft.com/claims/authnmethodsreferences"
AMR_PASSWORD = "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"

DEFAULT_TENANT_ID = "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d"
# Lifetimes Entra uses: Conditions NotOnOrAfter +70 min, SubjectConfirmationData +5 min.
CONDITIONS_LIFETIME = dt.timedelta(minutes=70)
SUBJECT_LIFETIME = dt.timedelta(minutes=5)

# ---------------------------------------------------------------------------------------------
# Small helpers


class HttpError(Exception):
    """Answer the current request with `status` and a plain-text `message`."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message):
    return HttpError(400, message)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(value):
    """XML-escape a value for element text or a double-quoted attribute."""
    value = str(value)
    if _XML_INVALID.search(value):
        raise bad_request("value contains characters that are not allowed in XML")
    return html.escape(value, quote=True)


def new_id():
    """A fresh SAML ID: `_` + 32 hex digits (never starts with a digit, as Entra requires)."""
    return "_" + uuid.uuid4().hex


def instant(t):
    """xs:dateTime in UTC with milliseconds, as Entra writes it: 2030-01-01T10:00:00.000Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def now_shifted(params):
    """The current time moved by `shift_minutes` (e.g. -200 for an expired message)."""
    raw = params.get("shift_minutes")
    try:
        shift = int(raw) if raw not in (None, "") else 0
    except ValueError:
        raise bad_request("shift_minutes must be an integer") from None
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=shift)


def flag(params, name):
    """A boolean query parameter: 1/true/yes/on."""
    return params.get(name, "").lower() in ("1", "true", "yes", "on")


def autosubmit(params):
    """The POST page submits itself unless autosubmit=0 (browser tests that inspect it)."""
    return params.get("autosubmit", "1").lower() not in ("0", "false", "no", "off")


def status_uri(value):
    """`Requester` → urn:oasis:names:tc:SAML:2.0:status:Requester; full URNs pass through."""
    if not value:
        return STATUS_SUCCESS
    return value if ":" in value else STATUS_PREFIX + value


def nameid_format(params, default=DEFAULT_NAMEID_FORMAT):
    """The NameID Format: `nameid_format` (a URN or a short alias such as `persistent`)."""
    value = params.get("nameid_format")
    if not value:
        return default
    return NAMEID_FORMATS.get(value, value)


def cert_body(cert_path):
    """The base64 body of a PEM certificate as one line (as in KeyInfo and metadata)."""
    with open(cert_path, encoding="ascii") as f:
        pem = f.read()
    m = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem, re.S)
    if not m:
        raise SystemExit(f"test_idp: no certificate in {cert_path}")
    return re.sub(r"\s+", "", m.group(1))


def one_line_base64(xml):
    """Entra writes SignatureValue and X509Certificate as one long line; xmlsec1 wraps them at
    64 columns. Neither is covered by its own signature, so unwrapping right after signing keeps
    it valid (for `both`, unwrap before the outer signature is made)."""
    xml = re.sub(r"(<SignatureValue>)([^<]*)(</SignatureValue>)",
                 lambda m: m.group(1) + re.sub(r"\s+", "", m.group(2)) + m.group(3), xml)
    xml = re.sub(r"<X509Data>\s*<X509Certificate>([^<]*)</X509Certificate>\s*</X509Data>",
                 lambda m: "<X509Data><X509Certificate>" + re.sub(r"\s+", "", m.group(1))
                 + "</X509Certificate></X509Data>", xml)
    return xml


def url_with_query(url, query):
    """Append an already-encoded query string to `url`."""
    return url + ("&" if "?" in url else "?") + query


# ---------------------------------------------------------------------------------------------
# Configuration and recorded messages


class Config:
    """Command-line configuration plus the recorded messages (guarded by a lock)."""

    def __init__(self, args):
        self.issuer = args.issuer
        self.sp_slo = args.sp_slo
        self.quiet = args.quiet
        self.base_url = None  # set once the socket is bound
        m = re.match(r"^https://sts\.windows\.net/([0-9a-fA-F-]{36})/?$", args.issuer)
        self.tenant_id = args.tenant_id or (m.group(1) if m else DEFAULT_TENANT_ID)
        self.keys = {"idp": (args.key, args.cert)}
        if args.alt_key or args.alt_cert:
            if not (args.alt_key and args.alt_cert):
                raise SystemExit("test_idp: --alt-key and --alt-cert go together")
            self.keys["alt"] = (args.alt_key, args.alt_cert)
        for key, cert in self.keys.values():
            for path in (key, cert):
                if not os.path.isfile(path):
                    raise SystemExit(f"test_idp: {path} does not exist")
        self._lock = threading.Lock()
        self._recorded = {}
        self._alt_dir = None

    def key_pair(self, params):
        """(key.pem, cert.pem) selected by `key=idp|alt`. Without --alt-key an alternate key is
        generated once with openssl on first use."""
        name = params.get("key") or "idp"
        if name not in ("idp", "alt"):
            raise bad_request("key must be idp or alt")
        with self._lock:
            if name == "alt" and "alt" not in self.keys:
                self._alt_dir = tempfile.mkdtemp(prefix="test-idp-alt-")
                atexit.register(shutil.rmtree, self._alt_dir, True)
                key = os.path.join(self._alt_dir, "alt.key")
                cert = os.path.join(self._alt_dir, "alt.crt")
                run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                     "-keyout", key, "-out", cert, "-days", "1095",
                     "-subj", "/CN=Microsoft Azure Federated SSO Certificate"])
                self.keys["alt"] = (key, cert)
            return self.keys[name]

    def record(self, kind, value):
        with self._lock:
            self._recorded[kind] = value

    def recorded(self, kind):
        with self._lock:
            return self._recorded.get(kind)


def run(cmd, stdin=None):
    """Run a CLI tool; a failure becomes HTTP 500 with its stderr."""
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HttpError(500, f"{cmd[0]} failed: {e}") from None
    if proc.returncode != 0:
        raise HttpError(500, f"{cmd[0]} failed ({proc.returncode}): "
                        + proc.stderr.decode(errors="replace"))
    return proc.stdout


# ---------------------------------------------------------------------------------------------
# Decoding what the SP sends


def decode_saml_message(value):
    """base64 → raw inflate (wbits=-15) → parsed XML root. Falls back to un-deflated XML (the
    HTTP-POST binding). DOCTYPEs are refused."""
    if not value:
        raise bad_request("empty SAML message")
    # A '+' that was not percent-encoded arrives as a space.
    value = value.replace(" ", "+").strip()
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise bad_request("SAML message is not base64") from None
    try:
        xml = zlib.decompress(raw, -15)
    except zlib.error:
        if not raw.lstrip().startswith(b"<"):
            raise bad_request("SAML message is neither deflated nor XML") from None
        xml = raw
    if b"<!DOCTYPE" in xml.upper():
        raise bad_request("SAML message contains a DOCTYPE")
    try:
        return ET.fromstring(xml)
    except ET.ParseError as e:
        raise bad_request(f"SAML message is not well-formed XML: {e}") from None


def _text(root, path):
    node = root.find(path, {"saml": NS_SAML, "samlp": NS_SAMLP})
    return node.text.strip() if node is not None and node.text else None


def local_name(root):
    return root.tag.rsplit("}", 1)[-1]


def parse_authn_request(value):
    """The fields of an AuthnRequest the IdP answers: ID, ACS URL, Issuer (→ Audience)."""
    root = decode_saml_message(value)
    if root.tag != f"{{{NS_SAMLP}}}AuthnRequest":
        raise bad_request(f"expected samlp:AuthnRequest, got {local_name(root)}")
    if not root.get("ID"):
        raise bad_request("AuthnRequest has no ID")
    policy = root.find(f"{{{NS_SAMLP}}}NameIDPolicy")
    return {
        "id": root.get("ID"),
        "acs": root.get("AssertionConsumerServiceURL"),
        "issuer": _text(root, "saml:Issuer"),
        "destination": root.get("Destination"),
        "protocol_binding": root.get("ProtocolBinding"),
        "force_authn": root.get("ForceAuthn") == "true",
        "name_id_policy_format": policy.get("Format") if policy is not None else None,
        "issue_instant": root.get("IssueInstant"),
    }


def parse_logout_request(value):
    """The fields of a LogoutRequest: ID, Issuer, NameID (+Format), SessionIndex."""
    root = decode_saml_message(value)
    if root.tag != f"{{{NS_SAMLP}}}LogoutRequest":
        raise bad_request(f"expected samlp:LogoutRequest, got {local_name(root)}")
    if not root.get("ID"):
        raise bad_request("LogoutRequest has no ID")
    name_id = root.find(f"{{{NS_SAML}}}NameID")
    return {
        "id": root.get("ID"),
        "issuer": _text(root, "saml:Issuer"),
        "name_id": _text(root, "saml:NameID"),
        "name_id_format": name_id.get("Format") if name_id is not None else None,
        "session_index": _text(root, "samlp:SessionIndex"),
        "destination": root.get("Destination"),
        "issue_instant": root.get("IssueInstant"),
    }


def parse_logout_response(value):
    """The fields of a LogoutResponse the SP sends back after an IdP-initiated logout."""
    root = decode_saml_message(value)
    if root.tag != f"{{{NS_SAMLP}}}LogoutResponse":
        raise bad_request(f"expected samlp:LogoutResponse, got {local_name(root)}")
    code = root.find(f"{{{NS_SAMLP}}}Status/{{{NS_SAMLP}}}StatusCode")
    return {
        "id": root.get("ID"),
        "in_response_to": root.get("InResponseTo"),
        "issuer": _text(root, "saml:Issuer"),
        "destination": root.get("Destination"),
        "status": code.get("Value") if code is not None else None,
    }


# ---------------------------------------------------------------------------------------------
# XML signatures (xmlsec1)


def signature_template(ref_id, sha1=False):
    """An empty enveloped Signature as Entra writes it: default namespace, exc-c14n,
    RSA-SHA256/SHA-256 (or RSA-SHA1/SHA-1 with sha1=1), KeyInfo/X509Data for the certificate."""
    return (
        f'<Signature xmlns="{DS}"><SignedInfo>'
        f'<CanonicalizationMethod Algorithm="{EXC_C14N}"/>'
        f'<SignatureMethod Algorithm="{RSA_SHA1 if sha1 else RSA_SHA256}"/>'
        f'<Reference URI="#{ref_id}"><Transforms>'
        f'<Transform Algorithm="{DS}enveloped-signature"/>'
        f'<Transform Algorithm="{EXC_C14N}"/></Transforms>'
        f'<DigestMethod Algorithm="{SHA1 if sha1 else SHA256}"/><DigestValue/></Reference>'
        f"</SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>"
    )


def xmlsec_sign(xml, key_pair, signature_xpath, id_attrs):
    """Fill the Signature template selected by `signature_xpath` with one xmlsec1 run.

    xmlsec1 signs exactly one Signature node per run (the first one in document order unless
    --node-xpath picks another), so a doubly signed message needs two runs, inner first."""
    key, cert = key_pair
    with tempfile.TemporaryDirectory(prefix="test-idp-") as tmp:
        src = os.path.join(tmp, "in.xml")
        dst = os.path.join(tmp, "out.xml")
        with open(src, "w", encoding="utf-8") as f:
            f.write(xml)
        cmd = ["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}"]
        for id_attr in id_attrs:
            cmd += ["--id-attr:ID", id_attr]
        cmd += ["--node-xpath", signature_xpath, "--output", dst, src]
        run(cmd)
        with open(dst, encoding="utf-8") as f:
            out = f.read()
    out = re.sub(r"^<\?xml[^>]*\?>\s*", "", out).rstrip()  # Entra sends no XML declaration
    return one_line_base64(out)


SAML_ID_ATTRS = (f"{NS_SAML}:Assertion", f"{NS_SAMLP}:Response")
ASSERTION_SIGNATURE = f"//*[local-name()='Assertion' and namespace-uri()='{NS_SAML}']" \
                      f"/*[local-name()='Signature' and namespace-uri()='{DS}']"
ROOT_SIGNATURE = f"/*/*[local-name()='Signature' and namespace-uri()='{DS}']"


# ---------------------------------------------------------------------------------------------
# Redirect binding (query-string signatures with openssl)


def redirect_query(param, xml, relay_state, key_pair, sign=True, sha1=False):
    """`param=<deflate+base64>[&RelayState=…][&SigAlg=…&Signature=…]` per SAML bindings
    §3.4.4.1: the signature covers the exact octets of the preceding parameters as sent."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(xml.encode("utf-8")) + compressor.flush()
    q = lambda v: urllib.parse.quote(v, safe="")  # noqa: E731
    query = f"{param}={q(base64.b64encode(deflated).decode())}"
    if relay_state:
        query += f"&RelayState={q(relay_state)}"
    if sign:
        query += f"&SigAlg={q(RSA_SHA1 if sha1 else RSA_SHA256)}"
        signature = run(["openssl", "dgst", "-sha1" if sha1 else "-sha256", "-sign",
                         key_pair[0]], stdin=query.encode("ascii"))
        query += f"&Signature={q(base64.b64encode(signature).decode())}"
    return query


# ---------------------------------------------------------------------------------------------
# Responses


def entra_claims(cfg, params, user):
    """Entra's default claims for `user`, with optional overrides from the query."""
    local = user.split("@", 1)[0]
    parts = [p for p in re.split(r"[._\-+]+", local) if p]
    given = parts[0].capitalize() if parts else "Test"
    surname = " ".join(p.capitalize() for p in parts[1:]) or "User"
    given = params.get("given_name") or given
    surname = params.get("surname") or surname
    tenant_id = params.get("tenant_id") or cfg.tenant_id
    object_id = params.get("object_id") or str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"gatehouse-test-idp:{tenant_id}:{user.lower()}"))
    claims = [
        (CLAIM_MS + "tenantid", [tenant_id]),
        (CLAIM_MS + "objectidentifier", [object_id]),
        (CLAIM_MS + "displayname", [params.get("display_name") or f"{given} {surname}"]),
        (CLAIM_MS + "identityprovider", [params.get("issuer") or cfg.issuer]),
        (CLAIM_AMR, [AMR_PASSWORD]),
        (CLAIM_XMLSOAP + "emailaddress", [params.get("email") or user]),
        (CLAIM_XMLSOAP + "givenname", [given]),
        (CLAIM_XMLSOAP + "surname", [surname]),
        (CLAIM_XMLSOAP + "name", [params.get("upn") or user]),
    ]
    groups = [g.strip() for g in params.get("groups", "").split(",") if g.strip()]
    if groups:
        claims.append((CLAIM_GROUPS, groups))
    return claims


def response_spec(cfg, params, authn=None):
    """Everything a Response needs, from the query (and the AuthnRequest being answered).

    Explicit parameters win over the AuthnRequest; an explicitly empty `in_response_to`,
    `audience` or `destination` leaves that attribute/element out."""
    user = params.get("user") or params.get("login_hint")
    if not user:
        raise bad_request("user is required")
    acs = params.get("acs") or (authn or {}).get("acs")
    if not acs:
        raise bad_request("acs is required (the AuthnRequest has no AssertionConsumerServiceURL)")
    if "audience" in params:
        audience = params["audience"]
    else:
        audience = (authn or {}).get("issuer") or acs
    if "in_response_to" in params:
        in_response_to = params["in_response_to"]
    else:
        in_response_to = (authn or {}).get("id")
    mode = params.get("mode") or "assertion"
    if mode not in ("assertion", "response", "both", "none"):
        raise bad_request("mode must be assertion, response, both or none")
    status = status_uri(params.get("status"))
    issuer = params.get("issuer") or cfg.issuer
    return {
        "user": user,
        "acs": acs,
        "destination": params["destination"] if "destination" in params else acs,
        "recipient": params.get("recipient") or acs,
        "audience": audience,
        "in_response_to": in_response_to or None,
        "issuer": issuer,
        "response_issuer": params.get("response_issuer") or issuer,
        "mode": mode,
        "sha1": flag(params, "sha1"),
        "key_pair": cfg.key_pair(params),
        "status": status,
        "status_message": params.get("status_message")
        or (DEFAULT_ERROR_MESSAGE if status != STATUS_SUCCESS else None),
        "nameid_format": nameid_format(params),
        "session_index": params.get("session_index") or f"_{uuid.uuid4()}",
        "now": now_shifted(params),
        "claims": entra_claims(cfg, params, user),
    }


def response_xml(spec):
    """The Entra-shaped Response with empty Signature templates where `mode` asks.
    Returns (xml, response_id, assertion_id or None)."""
    now = spec["now"]
    response_id, assertion_id = new_id(), new_id()
    success = spec["status"] == STATUS_SUCCESS
    sign_response = spec["mode"] in ("response", "both")
    sign_assertion = success and spec["mode"] in ("assertion", "both")
    irt = f' InResponseTo="{esc(spec["in_response_to"])}"' if spec["in_response_to"] else ""
    dest = f' Destination="{esc(spec["destination"])}"' if spec["destination"] else ""

    assertion = ""
    if success:
        attributes = "".join(
            f'<Attribute Name="{esc(name)}">'
            + "".join(f"<AttributeValue>{esc(v)}</AttributeValue>" for v in values)
            + "</Attribute>"
            for name, values in spec["claims"])
        audience = (f"<AudienceRestriction><Audience>{esc(spec['audience'])}</Audience>"
                    f"</AudienceRestriction>") if spec["audience"] else ""
        assertion = (
            f'<Assertion ID="{assertion_id}" IssueInstant="{instant(now)}" Version="2.0"'
            f' xmlns="{NS_SAML}"><Issuer>{esc(spec["issuer"])}</Issuer>'
            + (signature_template(assertion_id, spec["sha1"]) if sign_assertion else "")
            + f'<Subject><NameID Format="{esc(spec["nameid_format"])}">{esc(spec["user"])}'
            f"</NameID><SubjectConfirmation Method=\"{BEARER}\"><SubjectConfirmationData{irt}"
            f' NotOnOrAfter="{instant(now + SUBJECT_LIFETIME)}"'
            f' Recipient="{esc(spec["recipient"])}"/></SubjectConfirmation></Subject>'
            f'<Conditions NotBefore="{instant(now)}"'
            f' NotOnOrAfter="{instant(now + CONDITIONS_LIFETIME)}">{audience}</Conditions>'
            f"<AttributeStatement>{attributes}</AttributeStatement>"
            f'<AuthnStatement AuthnInstant="{instant(now - dt.timedelta(seconds=2))}"'
            f' SessionIndex="{esc(spec["session_index"])}"><AuthnContext>'
            f"<AuthnContextClassRef>{PASSWORD_CLASS}</AuthnContextClassRef></AuthnContext>"
            f"</AuthnStatement></Assertion>")

    message = (f"<samlp:StatusMessage>{esc(spec['status_message'])}</samlp:StatusMessage>"
               if spec["status_message"] else "")
    xml = (
        f'<samlp:Response ID="{response_id}" Version="2.0" IssueInstant="{instant(now)}"'
        f'{dest}{irt} xmlns:samlp="{NS_SAMLP}">'
        f'<Issuer xmlns="{NS_SAML}">{esc(spec["response_issuer"])}</Issuer>'
        + (signature_template(response_id, spec["sha1"]) if sign_response else "")
        + f'<samlp:Status><samlp:StatusCode Value="{esc(spec["status"])}"/>{message}'
        f"</samlp:Status>{assertion}</samlp:Response>")
    return xml, response_id, (assertion_id if success else None)


def signed_response(cfg, params, authn=None):
    """Build and sign a Response; returns a dict with the XML, its base64 and the IDs.

    For `both` the Assertion is signed first, then the Response (whose digest covers the
    Assertion's finished signature). With a non-Success status there is no Assertion, so
    `mode=assertion` yields an unsigned Response."""
    spec = response_spec(cfg, params, authn)
    xml, response_id, assertion_id = response_xml(spec)
    if "<Signature " in xml:
        if assertion_id and spec["mode"] in ("assertion", "both"):
            xml = xmlsec_sign(xml, spec["key_pair"], ASSERTION_SIGNATURE, SAML_ID_ATTRS)
        if spec["mode"] in ("response", "both"):
            xml = xmlsec_sign(xml, spec["key_pair"], ROOT_SIGNATURE, SAML_ID_ATTRS)
    return {
        "xml": xml,
        "SAMLResponse": base64.b64encode(xml.encode("utf-8")).decode(),
        "acs": spec["acs"],
        "response_id": response_id,
        "assertion_id": assertion_id,
        "session_index": spec["session_index"] if assertion_id else None,
        "in_response_to": spec["in_response_to"],
        "name_id": spec["user"],
    }


# ---------------------------------------------------------------------------------------------
# Logout messages


def logout_response_xml(cfg, params, in_response_to, destination):
    """An Entra-shaped LogoutResponse (Status Success unless `status=` says otherwise)."""
    now = now_shifted(params)
    irt = params["in_response_to"] if "in_response_to" in params else in_response_to
    irt_attr = f' InResponseTo="{esc(irt)}"' if irt else ""
    response_id = new_id()
    xml = (
        f'<samlp:LogoutResponse ID="{response_id}" Version="2.0" IssueInstant="{instant(now)}"'
        f' Destination="{esc(destination)}"{irt_attr} xmlns:samlp="{NS_SAMLP}">'
        f'<Issuer xmlns="{NS_SAML}">{esc(params.get("issuer") or cfg.issuer)}</Issuer>'
        f'<samlp:Status><samlp:StatusCode Value="{esc(status_uri(params.get("status")))}"/>'
        f"</samlp:Status></samlp:LogoutResponse>")
    return xml, response_id


def logout_request_xml(cfg, params, destination):
    """An IdP-initiated LogoutRequest naming the user (NameID) and session (SessionIndex)."""
    user = params.get("user")
    if not user:
        raise bad_request("user is required")
    now = now_shifted(params)
    request_id = new_id()
    session = params.get("session_index")
    session_xml = f"<samlp:SessionIndex>{esc(session)}</samlp:SessionIndex>" if session else ""
    xml = (
        f'<samlp:LogoutRequest ID="{request_id}" Version="2.0" IssueInstant="{instant(now)}"'
        f' Destination="{esc(destination)}" xmlns:samlp="{NS_SAMLP}">'
        f'<Issuer xmlns="{NS_SAML}">{esc(params.get("issuer") or cfg.issuer)}</Issuer>'
        f'<NameID xmlns="{NS_SAML}" Format="{esc(nameid_format(params))}">{esc(user)}</NameID>'
        f"{session_xml}</samlp:LogoutRequest>")
    return xml, request_id


def slo_url(cfg, params):
    url = params.get("slo") or cfg.sp_slo
    if not url:
        raise bad_request("no SP logout URL: pass slo= or start the IdP with --sp-slo")
    return url


# ---------------------------------------------------------------------------------------------
# Metadata


def metadata_xml(cfg, params):
    """IdP metadata (signed like Entra's unless unsigned=1): entityID, signing certificate,
    SSO (Redirect + POST) and SLO (Redirect) endpoints of this server."""
    md_id = new_id()
    key, cert = cfg.keys["idp"]
    sign = not flag(params, "unsigned")
    xml = (
        f'<EntityDescriptor ID="{md_id}" entityID="{esc(cfg.issuer)}" xmlns="{NS_MD}">'
        + (signature_template(md_id) if sign else "")
        + f'<IDPSSODescriptor protocolSupportEnumeration="{NS_SAMLP}">'
        f'<KeyDescriptor use="signing"><KeyInfo xmlns="{DS}"><X509Data><X509Certificate>'
        f"{cert_body(cert)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"
        f'<SingleLogoutService Binding="{BINDING_REDIRECT}"'
        f' Location="{esc(cfg.base_url)}/saml2/logout"/>'
        f'<SingleSignOnService Binding="{BINDING_REDIRECT}" Location="{esc(cfg.base_url)}/saml2/sso"/>'
        f'<SingleSignOnService Binding="{BINDING_POST}" Location="{esc(cfg.base_url)}/saml2/sso"/>'
        f"</IDPSSODescriptor></EntityDescriptor>")
    if sign:
        xml = xmlsec_sign(xml, (key, cert), ROOT_SIGNATURE, (f"{NS_MD}:EntityDescriptor",))
    return '<?xml version="1.0" encoding="utf-8"?>' + xml


# ---------------------------------------------------------------------------------------------
# HTML pages

PAGE_STYLE = ("body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;"
              "padding:0 1rem}label,input,button{display:block;margin:.5rem 0}"
              "input{width:100%;padding:.4rem}")


def page(title, body):
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}'
            f"</title><style>{PAGE_STYLE}</style></head><body>{body}</body></html>")


def sign_in_page(path, params):
    """'Test IdP — sign in as: [e-mail] [Continue]': a GET form back to the same URL carrying
    every current parameter plus `user`."""
    hidden = "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">'
                     for k, v in params.items() if k != "user")
    return page("Test IdP — sign in", (
        f"<h1>Test IdP — sign in as:</h1>"
        f'<form method="get" action="{esc(path)}">{hidden}'
        f'<label for="user">E-mail address</label>'
        f'<input type="email" id="user" name="user" autocomplete="username" required autofocus>'
        f'<button type="submit">Continue</button></form>'))


def post_page(acs, saml_response, relay_state, auto=True):
    """The HTTP-POST binding: a form to the ACS URL that submits itself (and a visible
    'Continue to the application' button for clients without JavaScript)."""
    relay = (f'<input type="hidden" name="RelayState" value="{esc(relay_state)}">'
             if relay_state else "")
    script = ('<script>document.getElementById("saml-post").submit();</script>'
              if auto else "")
    return page("Test IdP — signing in", (
        f"<h1>Test IdP</h1><p>Returning to the application…</p>"
        f'<form id="saml-post" method="post" action="{esc(acs)}">'
        f'<input type="hidden" name="SAMLResponse" value="{esc(saml_response)}">{relay}'
        f'<button type="submit">Continue to the application</button></form>{script}'))


# ---------------------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    """Routes GET (and form POST for the SSO endpoints) to the handlers below."""

    server_version = "GatehouseTestIdP/1.0"
    protocol_version = "HTTP/1.1"
    cfg = None  # set in main()

    # -- plumbing -------------------------------------------------------------------------

    def log_message(self, fmt, *args):
        if not self.cfg.quiet:
            sys.stderr.write("test_idp: %s - %s\n" % (self.address_string(), fmt % args))

    def send(self, status, body, content_type="text/plain; charset=utf-8", headers=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_html(self, body):
        self.send(200, body, "text/html; charset=utf-8")

    def send_json(self, value, status=200):
        self.send(status, json.dumps(value, indent=1) + "\n", "application/json")

    def redirect(self, location, headers=()):
        self.send(302, f"Redirecting to {location}\n", headers=[("Location", location), *headers])

    def params(self, url):
        """Query parameters (first value of each), merged with a form-encoded POST body."""
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            pairs += urllib.parse.parse_qsl(body, keep_blank_values=True)
        params = {}
        for k, v in pairs:
            params.setdefault(k, v)
        return params

    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        routes = {
            "/healthz": self.healthz,
            "/saml2": self.saml2,
            "/saml2/sso": self.sso,
            "/saml2/idp-initiated": self.idp_initiated,
            "/saml2/logout": self.logout,
            "/saml2/idp-logout": self.idp_logout,
            "/_response": self.response_json,
            "/_last_authn_request": lambda p: self.last("authn_request"),
            "/_last_logout_request": lambda p: self.last("logout_request"),
            "/_last_logout_response": lambda p: self.last("logout_response"),
            "/_verify_redirect": self.verify_redirect,
            "/metadata": self.metadata,
            "/federationmetadata/2007-06/federationmetadata.xml": self.metadata,
        }
        handler = routes.get(url.path.rstrip("/") or "/")
        self._path = url.path
        try:
            params = self.params(url)  # always read a POST body, even for a 404
            if handler is None:
                raise HttpError(404, f"no such endpoint: {url.path}")
            handler(params)
        except HttpError as e:
            if e.status >= 500:
                sys.stderr.write(f"test_idp: error: {e.message}\n")
            self.send(e.status, e.message + "\n")

    def do_GET(self):  # noqa: N802
        self.dispatch()

    def do_HEAD(self):  # noqa: N802
        self.dispatch()

    def do_POST(self):  # noqa: N802
        self.dispatch()

    # -- endpoints ------------------------------------------------------------------------

    def healthz(self, params):
        self.send(200, "ok\n")

    def saml2(self, params):
        """Entra-style single endpoint: AuthnRequest → SSO, LogoutRequest/Response → SLO."""
        if "SAMLResponse" in params:
            return self.logout(params)
        if "SAMLRequest" not in params:
            raise bad_request("SAMLRequest or SAMLResponse is required")
        if local_name(decode_saml_message(params["SAMLRequest"])) == "LogoutRequest":
            return self.logout(params)
        return self.sso(params)

    def sso(self, params):
        """SP-initiated sign-in: answer the AuthnRequest with a signed Response via a POST page."""
        if "SAMLRequest" not in params:
            raise bad_request("SAMLRequest is required")
        authn = parse_authn_request(params["SAMLRequest"])
        authn.update(relay_state=params.get("RelayState"), login_hint=params.get("login_hint"),
                     signed="Signature" in params, sig_alg=params.get("SigAlg"))
        self.cfg.record("authn_request", authn)
        if not (params.get("user") or params.get("login_hint")):
            return self.send_html(sign_in_page(self._path, params))
        result = signed_response(self.cfg, params, authn)
        self.send_html(post_page(result["acs"], result["SAMLResponse"],
                                 params.get("RelayState"), autosubmit(params)))

    def idp_initiated(self, params):
        """IdP-initiated sign-in: an unsolicited Response (no InResponseTo) via a POST page."""
        if not params.get("user"):
            return self.send_html(sign_in_page(self._path, params))
        result = signed_response(self.cfg, params)
        self.send_html(post_page(result["acs"], result["SAMLResponse"],
                                 params.get("relay_state") or params.get("RelayState"),
                                 autosubmit(params)))

    def verify_redirect(self, params):
        """Checks the SP's query signature on `url` with the certificates in the SP metadata at
        `metadata` (sp_verify.py: openssl, independent of Gatehouse)."""
        if not params.get("url") or not params.get("metadata"):
            raise bad_request("url and metadata are required")
        try:
            self.send_json(sp_verify.verify_redirect(params["url"], params["metadata"]))
        except (OSError, ValueError, ET.ParseError, subprocess.CalledProcessError) as e:
            raise HttpError(500, f"verifying failed: {e}") from e

    def response_json(self, params):
        """The same Response as JSON, for tests that post it themselves."""
        authn = parse_authn_request(params["request"]) if params.get("request") else None
        result = signed_response(self.cfg, params, authn)
        result["RelayState"] = params.get("relay_state") or params.get("RelayState") or None
        self.send_json(result)

    def logout(self, params):
        """SP-initiated logout: record the LogoutRequest, 302 to the SP's SLO URL with a signed
        LogoutResponse. A LogoutResponse (the SP answering an IdP-initiated logout) is recorded
        and acknowledged with a small page."""
        if "SAMLResponse" in params:
            answer = parse_logout_response(params["SAMLResponse"])
            answer.update(relay_state=params.get("RelayState"), signed="Signature" in params,
                          sig_alg=params.get("SigAlg"))
            self.cfg.record("logout_response", answer)
            return self.send_html(page("Test IdP — signed out",
                                       "<h1>Test IdP</h1><p>You have been signed out.</p>"))
        if "SAMLRequest" not in params:
            raise bad_request("SAMLRequest is required")
        request = parse_logout_request(params["SAMLRequest"])
        relay_state = params.get("RelayState") or None
        request.update(relay_state=relay_state, signed="Signature" in params,
                       sig_alg=params.get("SigAlg"))
        self.cfg.record("logout_request", request)
        destination = slo_url(self.cfg, params)
        xml, response_id = logout_response_xml(self.cfg, params, request["id"], destination)
        query = redirect_query("SAMLResponse", xml, relay_state, self.cfg.key_pair(params),
                               sign=not flag(params, "unsigned"), sha1=flag(params, "sha1"))
        self.redirect(url_with_query(destination, query),
                      [("X-Test-IdP-Message-ID", response_id)])

    def idp_logout(self, params):
        """IdP-initiated logout: 302 to the SP's SLO URL with a signed LogoutRequest."""
        destination = slo_url(self.cfg, params)
        xml, request_id = logout_request_xml(self.cfg, params, destination)
        query = redirect_query("SAMLRequest", xml, params.get("relay_state") or None,
                               self.cfg.key_pair(params), sign=not flag(params, "unsigned"),
                               sha1=flag(params, "sha1"))
        self.redirect(url_with_query(destination, query),
                      [("X-Test-IdP-Message-ID", request_id)])

    def last(self, kind):
        value = self.cfg.recorded(kind)
        if value is None:
            raise HttpError(404, f"no {kind.replace('_', ' ')} received yet")
        self.send_json(value)

    def metadata(self, params):
        self.send(200, metadata_xml(self.cfg, params), "application/samlmetadata+xml")


# ---------------------------------------------------------------------------------------------
# Main


def main(argv=None):
    parser = argparse.ArgumentParser(description="Independent SAML 2.0 test IdP (Entra-shaped).")
    parser.add_argument("--port", type=int, required=True, help="TCP port (0 = pick a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--issuer", required=True, help="IdP entity ID, e.g. https://sts.windows.net/<tid>/")
    parser.add_argument("--key", required=True, help="signing private key (PEM)")
    parser.add_argument("--cert", required=True, help="signing certificate (PEM)")
    parser.add_argument("--alt-key", help="alternate private key for key=alt (PEM)")
    parser.add_argument("--alt-cert", help="alternate certificate for key=alt (PEM)")
    parser.add_argument("--sp-slo", help="the SP's single-logout URL (default for slo=)")
    parser.add_argument("--tenant-id", help="tenantid claim (default: from an sts.windows.net issuer)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    args = parser.parse_args(argv)

    for tool in ("xmlsec1", "openssl"):
        if shutil.which(tool) is None:
            raise SystemExit(f"test_idp: {tool} is not on PATH")
    cfg = Config(args)
    Handler.cfg = cfg
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    cfg.base_url = f"http://{shown_host}:{port}"
    # SIGTERM (how tests stop it) → normal exit, so atexit cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {cfg.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
