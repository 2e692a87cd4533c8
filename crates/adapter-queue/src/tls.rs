//! `rediss://` for the queue: fred over rustls, verifying the server against the system's
//! roots or, with `REDIS_CA_FILE`, against that file's.

use fred::types::config::{Config, TlsConnector};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use std::sync::Arc;

/// Replaces the default roots of a `rediss://` configuration with the CA file's.
///
/// # Errors
/// When the file can't be read or holds no certificate.
pub(crate) fn with_ca(config: &mut Config, ca_file: Option<&str>) -> Result<(), String> {
    let (Some(path), Some(_)) = (ca_file, config.tls.as_ref()) else {
        return Ok(());
    };
    let mut roots = RootCertStore::empty();
    for cert in
        CertificateDer::pem_file_iter(path).map_err(|e| format!("REDIS_CA_FILE {path}: {e}"))?
    {
        roots
            .add(cert.map_err(|e| format!("REDIS_CA_FILE {path}: {e}"))?)
            .map_err(|e| format!("REDIS_CA_FILE {path}: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("REDIS_CA_FILE {path}: no certificate"));
    }
    let tls =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.tls = Some(TlsConnector::from(tls).into());
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{QueueSettings, RedisQueue};
    use std::time::Duration;
    use tisseco_application::jobs::{Job, JobQueue};

    fn settings(ca_file: Option<String>) -> QueueSettings {
        let port = std::env::var("TLS_TEST_REDIS_PORT").expect("run `just tls-test`");
        QueueSettings {
            url: format!("rediss://localhost:{port}"),
            prefix: "tls-test".into(),
            queues: vec!["events".into()],
            command_timeout: Duration::from_secs(3),
            dedup_ttl: QueueSettings::DEDUP_TTL,
            ca_file,
        }
    }

    #[tokio::test]
    #[ignore = "needs `just tls-test`"]
    async fn tls_the_queue_speaks_rediss_with_the_configured_ca() {
        let ca = std::env::var("TLS_TEST_CA").unwrap();
        let queue = RedisQueue::connect(&settings(Some(ca))).unwrap();
        let job = Job::new("tls.checked", serde_json::json!({}), None);
        queue.enqueue("events", &[job]).await.unwrap();
        assert_eq!(queue.counts("events").await.unwrap().depth, 1);
        let untrusted = RedisQueue::connect(&settings(None)).unwrap();
        assert!(untrusted.counts("events").await.is_err());
    }
}
