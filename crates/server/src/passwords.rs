//! Password hashing: Argon2id in PHC strings, on blocking threads, at most one hash per
//! core at a time so a burst of logins cannot starve every other page.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use madoguchi_domain::Password;
use tokio::sync::Semaphore;

/// Hashes and verifies passwords with the deployment's Argon2id parameters.
#[derive(Clone)]
pub struct PasswordHasherPool {
    params: Params,
    permits: Arc<Semaphore>,
    /// A hash of a random secret with the current parameters: verifying against it costs
    /// what a real verification costs, and never succeeds.
    dummy_hash: Arc<str>,
}

impl PasswordHasherPool {
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("invalid Argon2 parameters: {e}"))?;
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1);
        let unguessable = crate::web::token::random_token();
        let dummy_hash = Self::argon2(params.clone())
            .hash_password(unguessable.as_bytes())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
            .to_string();
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: dummy_hash.into(),
        })
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashes `password` into a PHC string with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let params = self.params.clone();
        let secret = password.clone();
        tokio::task::spawn_blocking(move || {
            Self::argon2(params)
                .hash_password(secret.expose().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await?
    }

    /// True when `password` matches `phc`. A malformed stored hash never matches.
    pub async fn verify(&self, password: &Password, phc: &str) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        let secret = password.clone();
        let phc = phc.to_owned();
        let params = self.params.clone();
        Ok(tokio::task::spawn_blocking(move || {
            Self::argon2(params)
                .verify_password(secret.expose().as_bytes(), phc.as_str())
                .is_ok()
        })
        .await?)
    }

    /// Spends the time of one verification, for a login ID that does not exist, so the
    /// response time does not tell which IDs exist.
    pub async fn verify_dummy(&self, password: &Password) -> anyhow::Result<()> {
        self.verify(password, &self.dummy_hash.clone())
            .await
            .map(|_| ())
    }

    /// True when `phc` was made with other parameters than the current ones.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let parsed = PasswordHash::new(phc)
            .ok()
            .and_then(|h| Params::try_from(&h).ok());
        match parsed {
            Some(p) => {
                p.m_cost() != self.params.m_cost()
                    || p.t_cost() != self.params.t_cost()
                    || p.p_cost() != self.params.p_cost()
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_verifies_and_wrong_password_fails() {
        let pool = PasswordHasherPool::new(64, 1).unwrap();
        let phc = pool.hash(&Password::typed("Demo1234")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(
            pool.verify(&Password::typed("Demo1234"), &phc)
                .await
                .unwrap()
        );
        assert!(
            !pool
                .verify(&Password::typed("demo1234"), &phc)
                .await
                .unwrap()
        );
        assert!(!pool.needs_rehash(&phc));
        let stronger = PasswordHasherPool::new(128, 1).unwrap();
        assert!(stronger.needs_rehash(&phc));
        assert!(
            !pool
                .verify(&Password::typed("x"), "not a hash")
                .await
                .unwrap()
        );
        pool.verify_dummy(&Password::typed("x")).await.unwrap();
    }
}
