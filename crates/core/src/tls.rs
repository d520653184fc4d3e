//! TLS settings for the async strategies' clients (feature `rustls`).

use std::sync::Arc;

/// A rustls client configuration on the ring provider that trusts
/// `ca_cert_pem`'s certificates when given (a test server's CA), and the
/// Mozilla root certificates (`webpki-roots`) otherwise: the same choices
/// ureq is given, so every strategy trusts the same servers. Built without
/// touching rustls's process-wide default provider.
pub fn client_config(ca_cert_pem: Option<&str>) -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = match ca_cert_pem {
        None => rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        Some(pem) => {
            let mut store = rustls::RootCertStore::empty();
            let certs = ca_certificates(pem)?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(rustls::Error::General(
                    "the CA file holds no usable certificate".into(),
                ));
            }
            store
        }
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// The certificates in a PEM text, in DER.
pub fn ca_certificates(
    pem: &str,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, rustls::Error> {
    use rustls::pki_types::pem::PemObject;
    let certs: Result<Vec<_>, _> =
        rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()).collect();
    match certs {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(rustls::Error::General(
            "no certificate in the CA file".into(),
        )),
        Err(e) => Err(rustls::Error::General(format!(
            "the CA file is not PEM: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed CA certificate (P-256, made with `openssl req -x509`
    /// for this test; its key was thrown away).
    const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\n\
MIIBjjCCATOgAwIBAgIUUkHIuJQybPJUO/GSWMykxtG4Q6gwCgYIKoZIzj0EAwIw\n\
HDEaMBgGA1UEAwwRd2lraWZldGNoIHRlc3QgQ0EwHhcNMjYxMjA1MDMzNDQxWhcN\n\
MzYxMjAyMDMzNDQxWjAcMRowGAYDVQQDDBF3aWtpZmV0Y2ggdGVzdCBDQTBZMBMG\n\
ByqGSM49AgEGCCqGSM49AwEHA0IABIV5+7yPQR4xyYX2RcXyHppWGITDLFL7nnCo\n\
8LWr5gkTTgi1OS3ttBQpRFMfT3HjUbLRlXYmL+21tCi87gWYr6CjUzBRMB0GA1Ud\n\
DgQWBBTgjSZZOWwV684kjH5gr9YKDHgeJjAfBgNVHSMEGDAWgBTgjSZZOWwV684k\n\
jH5gr9YKDHgeJjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCs\n\
9GnNHfe/fIlzN13Ue+Xg011C5ZxDYYAeznHkViU54wIhAJ/xhST0Mz3prGZC7le7\n\
BkjDh8j9DX0jX7oaYnzoc+AY\n\
-----END CERTIFICATE-----\n";

    #[test]
    fn builds() {
        assert!(client_config(None).is_ok());
        assert!(client_config(Some("not a certificate")).is_err());
    }

    #[test]
    fn a_ca_certificate_is_trusted_and_an_empty_file_refused() {
        assert_eq!(ca_certificates(CA_PEM).map(|c| c.len()), Ok(1));
        assert!(client_config(Some(CA_PEM)).is_ok());
        for empty in ["", "no PEM here\n"] {
            assert!(ca_certificates(empty).is_err(), "{empty:?}");
            assert!(client_config(Some(empty)).is_err(), "{empty:?}");
        }
    }
}
