//! TLS settings for the async strategies' clients (feature `rustls`).

use std::sync::Arc;

/// A rustls client configuration on the ring provider with the Mozilla
/// root certificates (`webpki-roots`): the same choices ureq makes, so every
/// strategy trusts the same servers. Built without touching rustls's
/// process-wide default provider.
pub fn client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds() {
        assert!(super::client_config().is_ok());
    }
}
