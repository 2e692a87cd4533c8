//! The root keys: one private key that signs, and the public keys that verify (the
//! current one plus previous ones during a rotation), each with a numeric id.

use biscuit_auth::error::Format;
use biscuit_auth::{Algorithm, KeyPair, PrivateKey, PublicKey, RootKeyProvider};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a valid Ed25519 private key in hex (64 hex digits)")]
    Private,
    #[error("'{0}' is not a valid `id:hex` Ed25519 public key")]
    Public(String),
}

/// The signing key and every key tokens may have been signed with.
pub struct SigningKeys {
    current: KeyPair,
    current_id: u32,
    previous: Vec<(u32, PublicKey)>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("current_id", &self.current_id)
            .field("previous", &self.previous.len())
            .finish()
    }
}

impl SigningKeys {
    /// From a hex private key, its id, and previous public keys as `id:hex` entries.
    ///
    /// # Errors
    /// When a key does not parse.
    pub fn from_hex(
        private_hex: &str,
        current_id: u32,
        previous: &[String],
    ) -> Result<Self, KeyError> {
        let private = PrivateKey::from_bytes_hex(private_hex.trim(), Algorithm::Ed25519)
            .map_err(|_| KeyError::Private)?;
        let previous = previous
            .iter()
            .map(|entry| {
                let (id, hex) = entry
                    .split_once(':')
                    .ok_or_else(|| KeyError::Public(entry.clone()))?;
                let id = id
                    .trim()
                    .parse()
                    .map_err(|_| KeyError::Public(entry.clone()))?;
                let key = PublicKey::from_bytes_hex(hex.trim(), Algorithm::Ed25519)
                    .map_err(|_| KeyError::Public(entry.clone()))?;
                Ok((id, key))
            })
            .collect::<Result<_, KeyError>>()?;
        Ok(Self {
            current: KeyPair::from(&private),
            current_id,
            previous,
        })
    }

    /// A fresh random key (tests and `generate-key`).
    #[must_use]
    pub fn generate(current_id: u32) -> Self {
        Self {
            current: KeyPair::new(),
            current_id,
            previous: Vec::new(),
        }
    }

    /// The private key in hex, for `generate-key` to print once.
    #[must_use]
    pub fn private_hex(&self) -> String {
        self.current.private().to_bytes_hex()
    }

    /// `id:hex` of the public key, to list among previous keys after the next rotation.
    #[must_use]
    pub fn public_entry(&self) -> String {
        format!(
            "{}:{}",
            self.current_id,
            self.current.public().to_bytes_hex()
        )
    }

    pub(crate) fn key_pair(&self) -> &KeyPair {
        &self.current
    }

    pub(crate) fn current_id(&self) -> u32 {
        self.current_id
    }
}

impl RootKeyProvider for &SigningKeys {
    fn choose(&self, key_id: Option<u32>) -> Result<PublicKey, Format> {
        match key_id {
            Some(id) if id == self.current_id => Ok(self.current.public()),
            Some(id) => self
                .previous
                .iter()
                .find(|(known, _)| *known == id)
                .map(|(_, key)| *key)
                .ok_or(Format::UnknownPublicKey),
            None => Err(Format::UnknownPublicKey),
        }
    }
}
