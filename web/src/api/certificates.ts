// Operations of the certificate rollover section (issue 12): the IdP metadata URL, staged
// certificates, what the sign-in log says about each certificate, and expiry warnings.
import { graphql } from '../gql';

export const CertificateRolloverQuery = graphql(`
  query CertificateRollover {
    ssoConnection {
      version
      enabled
      refuseExpiredCertificates
      metadataStatus {
        url
        autoPromote
        lastAttemptAt
        lastSuccessAt
        lastError
        failures
        nextFetchAt
      }
      stagedCertificates {
        id
        subject
        issuer
        fingerprintSha256
        notBefore
        notAfter
        firstSeenAt
        signInsSeen
        lastSeenAt
      }
      certificates {
        id
        subject
        issuer
        fingerprintSha256
        notBefore
        notAfter
        usage {
          lastVerifiedAt
          signInsLast30Days
          expiredSignIns
        }
      }
    }
  }
`);

export const SetIdpMetadataUrlMutation = graphql(`
  mutation SetIdpMetadataUrl($url: String, $autoPromote: Boolean!) {
    setIdpMetadataUrl(url: $url, autoPromote: $autoPromote) {
      url
    }
  }
`);

export const RefreshIdpMetadataMutation = graphql(`
  mutation RefreshIdpMetadata {
    refreshIdpMetadata {
      lastError
    }
  }
`);

export const PromoteStagedCertificateMutation = graphql(`
  mutation PromoteStagedCertificate($id: ID!) {
    promoteStagedCertificate(id: $id) {
      version
    }
  }
`);

export const DismissStagedCertificateMutation = graphql(`
  mutation DismissStagedCertificate($id: ID!) {
    dismissStagedCertificate(id: $id)
  }
`);

export const RemoveTrustedCertificateMutation = graphql(`
  mutation RemoveTrustedCertificate($id: ID!) {
    removeIdpCertificate(id: $id) {
      id
    }
  }
`);

export const SetRefuseExpiredCertificatesMutation = graphql(`
  mutation SetRefuseExpiredCertificates($refuse: Boolean!) {
    setRefuseExpiredCertificates(refuse: $refuse) {
      refuseExpiredCertificates
    }
  }
`);

export const CertificateWarningsQuery = graphql(`
  query CertificateWarnings {
    certificateWarnings {
      certificateId
      subject
      notAfter
      daysLeft
      thresholdDays
      covered
    }
  }
`);
