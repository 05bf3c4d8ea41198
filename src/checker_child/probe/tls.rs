//! SSL_GET's TLS layer (`check_ssl.c`): keepalived sets SSL_VERIFY_NONE, so
//! any certificate is accepted; handshake signatures are still checked so a
//! broken peer fails as it would with OpenSSL. SNI is sent only when
//! `enable_sni` gives a name.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, IpAddr as PkiIp, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Why the TLS session could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("SSL handshake timed out")]
    Timeout,
    #[error("SSL handshake failed: {0}")]
    Handshake(std::io::Error),
    #[error("invalid SNI name")]
    BadName,
}

#[derive(Debug)]
struct AcceptAnyCert(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

fn config(sni: bool) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AcceptAnyCert(provider.signature_verification_algorithms));
    let mut cfg = ClientConfig::builder_with_provider(provider as Arc<CryptoProvider>)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    cfg.enable_sni = sni;
    Arc::new(cfg)
}

/// One shared configuration per SNI setting: building one is not free and
/// probes run often.
static WITH_SNI: LazyLock<Arc<ClientConfig>> = LazyLock::new(|| config(true));
static WITHOUT_SNI: LazyLock<Arc<ClientConfig>> = LazyLock::new(|| config(false));

/// A TLS client session over `stream`, sending `sni` when given.
pub async fn handshake(
    stream: TcpStream,
    sni: Option<&str>,
    timeout: Duration,
) -> Result<TlsStream<TcpStream>, TlsError> {
    let (cfg, name) = match sni {
        Some(n) => (
            WITH_SNI.clone(),
            ServerName::try_from(n.to_string()).map_err(|_| TlsError::BadName)?,
        ),
        // Without SNI rustls still wants a name; an IP name is never sent.
        None => (
            WITHOUT_SNI.clone(),
            ServerName::IpAddress(PkiIp::from(std::net::IpAddr::from([0u8, 0, 0, 0]))),
        ),
    };
    let connector = TlsConnector::from(cfg);
    match tokio::time::timeout(timeout, connector.connect(name, stream)).await {
        Err(_) => Err(TlsError::Timeout),
        Ok(Err(e)) => Err(TlsError::Handshake(e)),
        Ok(Ok(s)) => Ok(s),
    }
}
