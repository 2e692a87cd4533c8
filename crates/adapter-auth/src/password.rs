//! argon2id password hashes, computed off the async executor.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use async_trait::async_trait;
use tisseco_application::auth::ports::PasswordHasher;
use tisseco_application::ports::RepoError;
use tisseco_domain::{Password, PasswordHash};

/// argon2id with the crate's default (OWASP-recommended) parameters.
#[derive(Debug, Clone)]
pub struct Argon2Hasher {
    /// Verified when the account does not exist, so that both paths cost the same.
    dummy: String,
}

impl Argon2Hasher {
    /// # Errors
    /// When the dummy hash can't be computed (it never fails with default parameters).
    pub fn new() -> Result<Self, RepoError> {
        let dummy = hash_blocking("a password nobody has, to spend the same time")?;
        Ok(Self { dummy })
    }
}

fn hash_blocking(password: &str) -> Result<String, RepoError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| RepoError::Unexpected(format!("password hashing failed: {e}")))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    Phc::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, RepoError> {
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(|e| RepoError::Unexpected(e.to_string()))?
            .map(PasswordHash)
    }

    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> bool {
        let password = password.expose().to_owned();
        let (hash, real) = match hash {
            Some(hash) => (hash.0.clone(), true),
            None => (self.dummy.clone(), false),
        };
        let matches = tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
            .await
            .unwrap_or(false);
        real && matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::new("correct horse battery").unwrap();
        let first = hasher.hash(&password).await.unwrap();
        let second = hasher.hash(&password).await.unwrap();
        assert!(first.0.starts_with("$argon2id$"));
        assert_ne!(first, second, "a fresh salt each time");
        assert!(hasher.verify(&password, Some(&first)).await);
        assert!(
            !hasher
                .verify(&Password::presented("wrong password!!"), Some(&first))
                .await
        );
        assert!(
            !hasher.verify(&password, None).await,
            "no account never matches"
        );
        assert!(
            !hasher
                .verify(&password, Some(&PasswordHash("garbage".into())))
                .await
        );
    }
}
