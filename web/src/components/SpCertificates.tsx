// Gatehouse's own SP certificates, for the IdP: the signing certificate (Entra: "Verification
// certificates", for signed requests) and the encryption certificate (Entra: "Token
// encryption"), each with its role in the rollover and its dates. Public data only.
import type { IdentityManagementQuery } from '../gql/graphql';
import { formatDateTime } from '../lib/format';

type SpCertificate = IdentityManagementQuery['serviceProvider']['certificates'][number];

const ROLE_LABEL: Record<SpCertificate['role'], string> = {
  SIGNING: 'Signing',
  ENCRYPTION: 'Encryption',
};

const ROLE_USE: Record<SpCertificate['role'], string> = {
  SIGNING: 'Entra: Verification certificates (signed requests)',
  ENCRYPTION: 'Entra: Token encryption',
};

const STATE_LABEL: Record<SpCertificate['state'], string> = {
  ACTIVE: 'Active',
  NEXT: 'Next (published ahead of a rollover)',
  PREVIOUS: 'Previous (being retired)',
};

function downloadHref(pem: string) {
  return `data:application/x-pem-file;charset=utf-8,${encodeURIComponent(pem)}`;
}

export function SpCertificates({ certificates, metadataUrl }: { certificates: SpCertificate[]; metadataUrl: string }) {
  return (
    <section className="card" aria-labelledby="sp-certificates-heading">
      <h2 id="sp-certificates-heading">Gatehouse certificates</h2>
      {certificates.length === 0 ? (
        <p className="hint">
          Gatehouse has no signing or encryption certificate: the platform operator has not configured a key-encryption
          key. Signed requests and encrypted assertions are unavailable.
        </p>
      ) : (
        <>
          <p className="hint">
            Give these to your identity provider when it checks signed requests or encrypts assertions. They are also in
            the <a href={metadataUrl}>SP metadata</a>.
          </p>
          <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Valid</th>
                <th scope="col">SHA-256 fingerprint</th>
                <th scope="col">Download</th>
              </tr>
            </thead>
            <tbody>
              {certificates
                .filter((c) => c.published)
                .map((c) => (
                  <tr key={c.id}>
                    <td>
                      {ROLE_LABEL[c.role]}
                      <div className="hint">{ROLE_USE[c.role]}</div>
                    </td>
                    <td>
                      {STATE_LABEL[c.state]}
                      {c.state === 'NEXT' && <div className="hint">active from {formatDateTime(c.activateAfter)}</div>}
                    </td>
                    <td>
                      {formatDateTime(c.notBefore)} – {formatDateTime(c.notAfter)}
                    </td>
                    <td>
                      <code className="fingerprint">{c.fingerprintSha256}</code>
                    </td>
                    <td>
                      <a
                        href={downloadHref(c.certificatePem)}
                        download={`gatehouse-${c.role.toLowerCase()}-${c.state.toLowerCase()}.cer`}
                        aria-label={`Download the ${ROLE_LABEL[c.role].toLowerCase()} certificate (${c.state.toLowerCase()}, Base64 .cer)`}
                      >
                        Certificate (Base64)
                      </a>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          </div>
        </>
      )}
    </section>
  );
}
