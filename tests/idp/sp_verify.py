"""Verifying the SP's Redirect-binding signatures, independently of Gatehouse's code.

The IdP's `/_verify_redirect` endpoint uses this: given the full URL the SP redirected a browser
to (an AuthnRequest, LogoutRequest or LogoutResponse) and the SP's metadata URL, it reads the
SP's signing certificates from the metadata (every `KeyDescriptor` that is not
`use="encryption"`, so both certificates during a key rollover) and checks the query signature
with the `openssl` CLI over the exact octets SAML bindings §3.4.4.1 names:
`SAMLRequest|SAMLResponse=…[&RelayState=…]&SigAlg=…`, as they were sent (still URL-encoded).
Only RSA-SHA256 is accepted. Standard library and `openssl` only.
"""

import base64
import os
import subprocess
import tempfile
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
NS_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
MAX_METADATA = 256 * 1024


def signing_certificates(metadata_url):
    """The SP's signing certificates (PEM) from its metadata."""
    with urllib.request.urlopen(metadata_url, timeout=10) as r:  # noqa: S310 (test-only, local URL)
        body = r.read(MAX_METADATA + 1)
    if len(body) > MAX_METADATA:
        raise ValueError("SP metadata too large")
    if b"<!DOCTYPE" in body:
        raise ValueError("SP metadata has a DOCTYPE")
    root = ET.fromstring(body)
    pems = []
    for kd in root.iter(f"{{{NS_MD}}}KeyDescriptor"):
        if kd.get("use") == "encryption":
            continue
        for cert in kd.iter(f"{{{NS_DS}}}X509Certificate"):
            b64 = "".join((cert.text or "").split())
            lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
            pems.append("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n")
    return pems


def signed_octets(query):
    """(octets, signature bytes, SigAlg) from a raw query string, or a ValueError."""
    raw = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        raw.setdefault(name, value)
    param = "SAMLRequest" if "SAMLRequest" in raw else "SAMLResponse"
    if param not in raw or "Signature" not in raw or "SigAlg" not in raw:
        raise ValueError("the query has no SAMLRequest/SAMLResponse, SigAlg and Signature")
    octets = f"{param}={raw[param]}"
    if "RelayState" in raw:
        octets += f"&RelayState={raw['RelayState']}"
    octets += f"&SigAlg={raw['SigAlg']}"
    sig_alg = urllib.parse.unquote_plus(raw["SigAlg"])
    signature = base64.b64decode(urllib.parse.unquote_plus(raw["Signature"]))
    return octets.encode("ascii"), signature, sig_alg


def verify_redirect(url, metadata_url):
    """{"verified": bool, "reason": str, "certificates": n} for the redirect `url`."""
    query = urllib.parse.urlsplit(url).query
    try:
        octets, signature, sig_alg = signed_octets(query)
    except ValueError as e:
        return {"verified": False, "reason": str(e), "certificates": 0}
    if sig_alg != RSA_SHA256:
        return {"verified": False, "reason": f"SigAlg {sig_alg} is not RSA-SHA256", "certificates": 0}
    pems = signing_certificates(metadata_url)
    with tempfile.TemporaryDirectory(prefix="test-idp-verify-") as d:
        sig_path = os.path.join(d, "sig.bin")
        with open(sig_path, "wb") as f:
            f.write(signature)
        for i, pem in enumerate(pems):
            cert_path = os.path.join(d, f"sp{i}.crt")
            key_path = os.path.join(d, f"sp{i}.pub")
            with open(cert_path, "w") as f:
                f.write(pem)
            subprocess.run(["openssl", "x509", "-in", cert_path, "-pubkey", "-noout", "-out", key_path],
                           check=True, capture_output=True)
            ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify", key_path, "-signature", sig_path],
                                input=octets, capture_output=True)
            if ok.returncode == 0:
                return {"verified": True, "reason": f"verified with certificate {i + 1} of {len(pems)}",
                        "certificates": len(pems)}
    return {"verified": False, "reason": "no signing certificate in the SP metadata verifies it",
            "certificates": len(pems)}
