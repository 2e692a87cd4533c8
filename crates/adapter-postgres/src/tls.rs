//! Connections to PostgreSQL with TLS (rustls), honouring libpq's `sslmode` and
//! `sslrootcert` in `DATABASE_URL`: `disable` (the default), `allow`/`prefer` (TLS when offered, not
//! verified), `require` (TLS, not verified, as libpq), `verify-ca` (the chain), `verify-full`
//! (the chain and the host name). Roots: the `sslrootcert` file, else Mozilla's (webpki).
//! tokio-postgres knows only disable/prefer/require, so the verification is ours.

use diesel::ConnectionResult;
use diesel_async::AsyncPgConnection;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::sync::Arc;
use tokio_postgres::Socket;
use tokio_postgres_rustls::MakeRustlsConnect;

/// What the server's certificate must prove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verify {
    /// Encryption only (libpq's `prefer` and `require`).
    Nothing,
    /// Signed by a trusted root, whatever the name (`verify-ca`).
    Chain,
    /// Signed by a trusted root and issued for the host (`verify-full`).
    Full,
}

/// A URL tokio-postgres accepts, and the TLS connector for it.
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) tls: MakeRustlsConnect,
}

/// Reads `sslmode` and `sslrootcert` out of `url`.
///
/// # Errors
/// An unknown `sslmode`, or a root certificate file that can't be read.
pub(crate) fn target(url: &str) -> Result<Target, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    // Without `sslmode`, plain as before (libpq would say `prefer`): a local database keeps
    // its speed, and a hosted one says `require` or `verify-full` in its URL anyway.
    let mut mode = "disable".to_owned();
    let mut root_file = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => value.clone_into(&mut mode),
            Some(("sslrootcert", value)) => root_file = Some(decode(value)),
            _ => kept.push(pair),
        }
    }
    let (pg_mode, verify) = match mode.as_str() {
        "disable" => ("disable", Verify::Nothing),
        "allow" | "prefer" => ("prefer", Verify::Nothing),
        "require" => ("require", Verify::Nothing),
        "verify-ca" => ("require", Verify::Chain),
        "verify-full" => ("require", Verify::Full),
        other => {
            return Err(format!(
                "DATABASE_URL: sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ));
        }
    };
    kept.push(match pg_mode {
        "disable" => "sslmode=disable",
        "prefer" => "sslmode=prefer",
        _ => "sslmode=require",
    });
    let roots = roots(root_file.as_deref())?;
    Ok(Target {
        url: format!("{base}?{}", kept.join("&")),
        tls: MakeRustlsConnect::new(client_config(roots, verify)?),
    })
}

/// `%2F` and friends in a path given in a URL.
fn decode(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len());
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn roots(file: Option<&str>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    match file {
        None | Some("system") => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            for cert in CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("DATABASE_URL: sslrootcert {path}: {e}"))?
            {
                let cert = cert.map_err(|e| format!("DATABASE_URL: sslrootcert {path}: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("DATABASE_URL: sslrootcert {path}: {e}"))?;
            }
            if roots.is_empty() {
                return Err(format!(
                    "DATABASE_URL: sslrootcert {path} holds no certificate"
                ));
            }
        }
    }
    Ok(roots)
}

fn client_config(roots: RootCertStore, verify: Verify) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| format!("TLS roots: {e}"))?;
    let verifier = Arc::new(Verifier {
        verify,
        webpki,
        provider: provider.clone(),
    });
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

#[derive(Debug)]
struct Verifier {
    verify: Verify,
    webpki: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let checked =
            self.webpki
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        match (self.verify, checked) {
            (Verify::Nothing, _) => Ok(ServerCertVerified::assertion()),
            (
                Verify::Chain,
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                )),
            ) => Ok(ServerCertVerified::assertion()),
            (_, checked) => checked,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A tokio-postgres client, its connection driven by a task of its own.
///
/// # Errors
/// As [`target`], or when the server can't be reached or its certificate is refused.
pub(crate) async fn client(url: &str) -> Result<tokio_postgres::Client, String> {
    let target = target(url)?;
    let (client, connection) = tokio_postgres::connect(&target.url, target.tls)
        .await
        .map_err(|e| describe(&e))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "database connection ended with an error");
        }
    });
    Ok(client)
}

/// A diesel-async connection over TLS as `url` asks.
///
/// # Errors
/// As [`client`].
pub(crate) async fn establish(url: &str) -> ConnectionResult<AsyncPgConnection> {
    let target = target(url).map_err(diesel::ConnectionError::BadConnection)?;
    let (client, connection): (_, tokio_postgres::Connection<Socket, _>) =
        tokio_postgres::connect(&target.url, target.tls)
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(describe(&e)))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// tokio-postgres says "error performing TLS handshake"; the cause says why.
fn describe(error: &tokio_postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_modes_map_to_what_tokio_postgres_knows() {
        let t = target("postgres://u@h/db?sslmode=verify-full&application_name=x").unwrap();
        assert_eq!(
            t.url,
            "postgres://u@h/db?application_name=x&sslmode=require"
        );
        assert_eq!(
            target("postgres://u@h/db").unwrap().url,
            "postgres://u@h/db?sslmode=disable"
        );
        assert_eq!(
            target("postgres://u@h/db?sslmode=prefer").unwrap().url,
            "postgres://u@h/db?sslmode=prefer"
        );
        assert_eq!(
            target("postgres://u@h/db?sslmode=disable").unwrap().url,
            "postgres://u@h/db?sslmode=disable"
        );
    }

    #[test]
    fn bad_modes_and_missing_root_files_are_named() {
        let err = target("postgres://h/db?sslmode=sometimes").err().unwrap();
        assert!(err.contains("sslmode=sometimes"), "{err}");
        let err = target("postgres://h/db?sslmode=verify-full&sslrootcert=%2Fnowhere%2Fca.pem")
            .err()
            .unwrap();
        assert!(err.contains("sslrootcert /nowhere/ca.pem"), "{err}");
    }
}
