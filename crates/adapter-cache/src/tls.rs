//! `rediss://` for the cache and the rate limiter: the redis crate over rustls, verifying
//! the server against the system's roots or, with `REDIS_CA_FILE`, against that file's.

use deadpool_redis::Manager;
use deadpool_redis::redis::{Client, TlsCertificates};

/// The pool's connection manager for `url`.
///
/// # Errors
/// When the URL is not a Redis URL or the CA file can't be read.
pub(crate) fn manager(url: &str, ca_file: Option<&str>) -> Result<Manager, String> {
    match ca_file {
        Some(path) if url.starts_with("rediss://") => {
            let pem = std::fs::read(path).map_err(|e| format!("REDIS_CA_FILE {path}: {e}"))?;
            let client = Client::build_with_tls(
                url,
                TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                },
            )
            .map_err(|e| format!("REDIS_CA_FILE {path}: {e}"))?;
            Manager::new(client.get_connection_info().clone()).map_err(|e| e.to_string())
        }
        _ => Manager::new(url).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::{RedisClient, RedisSettings};
    use deadpool_redis::redis;
    use secrecy::SecretString;
    use std::time::Duration;

    fn settings(ca_file: Option<String>) -> RedisSettings {
        let port = std::env::var("TLS_TEST_REDIS_PORT").expect("run `just tls-test`");
        RedisSettings {
            url: SecretString::from(format!("rediss://localhost:{port}")),
            key_prefix: "tls-test:".into(),
            timeout: Duration::from_secs(5),
            retry_after: Duration::from_millis(10),
            ca_file,
        }
    }

    async fn ping(client: &RedisClient) -> Result<String, tisseco_application::ports::RepoError> {
        client
            .run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
    }

    #[tokio::test]
    #[ignore = "needs `just tls-test`"]
    async fn tls_rediss_with_the_configured_ca_answers_and_without_it_is_refused() {
        let ca = std::env::var("TLS_TEST_CA").unwrap();
        let trusted = RedisClient::new(&settings(Some(ca))).unwrap();
        assert_eq!(ping(&trusted).await.unwrap(), "PONG");
        let untrusted = RedisClient::new(&settings(None)).unwrap();
        let error = ping(&untrusted).await.unwrap_err().to_string();
        assert!(
            error.contains("certificate") || error.contains("Unknown"),
            "{error}"
        );
    }
}
