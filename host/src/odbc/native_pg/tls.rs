//! TLS for the native connection, with libpq's `sslmode` meanings over rustls:
//!
//! - `disable`: never; `allow` and `prefer`: when the server offers it (`allow` is read as
//!   `prefer`: both end up encrypted when the server can), certificate not checked;
//! - `require`: always, certificate not checked — unless a root certificate is there
//!   (`sslrootcert`, or `~/.postgresql/root.crt`), when it is checked as `verify-ca`, as in libpq;
//! - `verify-ca`: the certificate must chain to the root; `verify-full`: and name the host.
//!
//! `sslrootcert=system` takes the operating system's trusted roots. Channel binding is not
//! offered (SCRAM without `-PLUS`), which is libpq's `channel_binding=prefer` when it cannot.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::NativeConfigError;
use super::config::bad;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

#[derive(Clone, Debug)]
enum Roots {
    File(PathBuf),
    System,
}

/// The mode, and where the trusted roots come from when the certificate is checked.
#[derive(Clone, Debug)]
pub struct TlsSettings {
    pub mode: TlsMode,
    roots: Option<Roots>,
}

impl TlsSettings {
    pub fn new(sslmode: &str, sslrootcert: Option<&str>) -> Result<TlsSettings, NativeConfigError> {
        let mut mode = match sslmode.to_ascii_lowercase().as_str() {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => {
                return Err(bad(
                    "sslmode",
                    "not one of disable, allow, prefer, require, verify-ca, verify-full",
                ));
            }
        };
        let default_root = std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".postgresql/root.crt"))
            .filter(|p| p.is_file());
        let roots = match sslrootcert {
            Some(r) if r.eq_ignore_ascii_case("system") => Some(Roots::System),
            Some(r) => Some(Roots::File(PathBuf::from(r))),
            None => default_root.map(Roots::File),
        };
        if mode == TlsMode::Require && roots.is_some() {
            mode = TlsMode::VerifyCa;
        }
        if matches!(mode, TlsMode::VerifyCa | TlsMode::VerifyFull) && roots.is_none() {
            return Err(NativeConfigError::RootCert {
                path: "~/.postgresql/root.crt".into(),
                why: format!(
                    "is not there, and sslmode={sslmode} checks the server's certificate against it; give sslrootcert=FILE (or sslrootcert=system)"
                ),
            });
        }
        Ok(TlsSettings { mode, roots })
    }

    /// The connector, with the roots read now (so a missing file fails the connection).
    pub fn connector(&self) -> Result<MakeRustls, NativeConfigError> {
        let provider = Arc::new(aws_lc_rs::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.mode {
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                let roots = Arc::new(self.root_store()?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                    .build()
                    .map_err(|e| self.root_error(e.to_string()))?;
                Arc::new(Checked {
                    webpki,
                    names_too: self.mode == TlsMode::VerifyFull,
                })
            }
            _ => Arc::new(Unchecked(provider.clone())),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| self.root_error(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustls(Arc::new(config)))
    }

    fn root_error(&self, why: String) -> NativeConfigError {
        let path = match &self.roots {
            Some(Roots::File(p)) => p.display().to_string(),
            _ => "system".into(),
        };
        NativeConfigError::RootCert { path, why }
    }

    fn root_store(&self) -> Result<RootCertStore, NativeConfigError> {
        let mut store = RootCertStore::empty();
        let certs: Vec<CertificateDer<'static>> = match &self.roots {
            Some(Roots::File(path)) => CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect())
                .map_err(|e| self.root_error(e.to_string()))?,
            Some(Roots::System) => rustls_native_certs::load_native_certs().certs,
            None => Vec::new(),
        };
        let (added, _ignored) = store.add_parsable_certificates(certs);
        if added == 0 {
            return Err(self.root_error("holds no usable certificate".into()));
        }
        Ok(store)
    }
}

/// `verify-ca` and `verify-full`: the chain is checked against the roots; the host name only
/// for `verify-full`.
#[derive(Debug)]
struct Checked {
    webpki: Arc<WebPkiServerVerifier>,
    names_too: bool,
}

/// `prefer` and `require`: encrypted, but any certificate is taken (libpq's meaning). The
/// handshake's signatures are still checked, so the session is with the certificate's owner.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Checked {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.names_too => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// tokio-postgres's TLS seam over tokio-rustls.
#[derive(Clone)]
pub struct MakeRustls(Arc<ClientConfig>);

pub struct RustlsConnect {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

pub struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsConnect, Self::Error> {
        Ok(RustlsConnect {
            config: self.0.clone(),
            name: ServerName::try_from(domain.to_string())?,
        })
    }
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move { connector.connect(self.name, stream).await.map(RustlsStream) })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_reads_as_libpq_reads_it() {
        let mode = |m, root| TlsSettings::new(m, root).map(|t| t.mode);
        assert_eq!(mode("disable", None), Ok(TlsMode::Disable));
        assert_eq!(mode("ALLOW", None), Ok(TlsMode::Prefer));
        // A root given makes `require` check the chain, as libpq does.
        assert_eq!(mode("require", Some("/ca.pem")), Ok(TlsMode::VerifyCa));
        assert_eq!(mode("verify-full", Some("system")), Ok(TlsMode::VerifyFull));
        assert!(matches!(
            mode("sometimes", None),
            Err(NativeConfigError::BadValue { .. })
        ));
    }

    #[test]
    fn a_root_file_that_holds_no_certificate_is_named() {
        let file = std::env::temp_dir().join(format!("hvrwasm-root-{}.pem", std::process::id()));
        std::fs::write(&file, "not a certificate\n").unwrap();
        let settings = TlsSettings::new("verify-ca", Some(file.to_str().unwrap())).unwrap();
        let e = settings.connector().err().unwrap().to_string();
        std::fs::remove_file(&file).unwrap();
        assert!(
            e.contains(file.to_str().unwrap()) && e.contains("no usable certificate"),
            "{e}"
        );
    }
}
