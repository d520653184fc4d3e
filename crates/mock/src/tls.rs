//! HTTPS for the mock: a certificate authority made at start-up, a
//! certificate for `localhost` and `127.0.0.1` signed by it, and the
//! rustls acceptor that serves with them.
//!
//! Clients trust the mock by its CA certificate (`MockWiki::ca_cert_pem`,
//! or the file `wikifetch serve --tls` writes), not by turning
//! verification off: the path a client takes is the live one, with one
//! more root. The server offers TLS 1.3 and 1.2 (rustls's safe defaults)
//! and counts which version each connection negotiated.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The mock's TLS set-up: the acceptor and the CA certificate to trust.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("the mock's TLS set-up failed: {e}"))
}

impl Tls {
    /// A new CA and a server certificate signed by it.
    pub(crate) fn generate() -> std::io::Result<Self> {
        let ca_key = KeyPair::generate().map_err(io_error)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(io_error)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "wikifetch-mock test CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(io_error)?;

        let key = KeyPair::generate().map_err(io_error)?;
        let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(io_error)?;
        leaf.distinguished_name
            .push(DnType::CommonName, "wikifetch-mock");
        let cert = leaf.signed_by(&key, &ca_cert, &ca_key).map_err(io_error)?;

        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(io_error)?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(io_error)?;
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem: ca_cert.pem(),
        })
    }
}
