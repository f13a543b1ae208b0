//! Password hashing: Argon2id in PHC strings, on a small pool of dedicated threads, bounded
//! so that a burst of logins cannot slow the pages down (measured in docs/performance.md):
//!
//! - one thread less than the cores (at least one), at the lowest scheduling priority
//!   (Linux `SCHED_IDLE`);
//! - each thread hashes at most `duty_percent` of its time (50 by default) and rests the
//!   rest: on a loaded machine the scheduler alone does not give the pages their core back
//!   fast enough (measured: an idle-priority thread hashing all the time still made the
//!   pages' p99 four times slower);
//! - the queue is bounded: beyond it a login is answered at once (429 「混み合っています」)
//!   instead of waiting behind hundreds of others.
//!
//! Each thread keeps one Argon2 work area (19 MiB at the default cost) and reuses it: the
//! library's own path allocates and frees it per hash, and the allocator's retention of
//! those blocks grew the process to ~600 MB under a login load test (see
//! docs/performance.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use madoguchi_domain::Password;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// This thread's Argon2 work area, grown to the largest cost seen and reused.
    static WORK_AREA: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Computes the Argon2id output of `password` with `salt` and `params` into `out`, in this
/// thread's reused work area.
fn argon2id_into(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> anyhow::Result<()> {
    let blocks = params.block_count();
    WORK_AREA.with(|area| {
        let mut area = area.borrow_mut();
        if area.len() < blocks {
            area.resize(blocks, Block::default());
        }
        let work = area.get_mut(..blocks).unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password_into_with_memory(password, salt, out, work)
            .map_err(|e| anyhow::anyhow!("Argon2 failed: {e}"))
    })
}

/// A new PHC string for `password` with a fresh 16-byte salt.
fn hash_phc(params: &Params, password: &[u8]) -> anyhow::Result<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = Salt::new(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2id_into(params, password, salt.as_ref(), &mut out)?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(hash.to_string())
}

/// True when `password` matches the Argon2id PHC string `phc` (with that string's own
/// parameters). Anything malformed never matches.
fn verify_phc(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if argon2id_into(&params, password, salt.as_ref(), &mut out).is_err() {
        return false;
    }
    crate::web::token::same_bytes(&out, expected.as_bytes())
}

/// Puts the calling thread at the lowest priority (`SCHED_IDLE`): it runs only on a core
/// no other thread wants. Where that is not possible, it keeps its priority (logged).
fn yield_to_pages() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    if let Err(e) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle) {
        tracing::warn!(error = ?e, "password hashing keeps the normal priority");
    }
}

/// Why a hash or a verification did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing thread is busy and the queue is full: try again in a moment.
    #[error("password hashing queue is full")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// A fresh random password that satisfies `policy` (letters and digits, both present).
pub fn generate_password(min_len: usize, max_len: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let len = 12.clamp(min_len, max_len);
    loop {
        let mut out = String::with_capacity(len);
        for _ in 0..len {
            let pool: &[u8] = if rand::random::<u8>().is_multiple_of(4) {
                DIGITS
            } else {
                LETTERS
            };
            let i = usize::from(rand::random::<u8>()) % pool.len();
            if let Some(&c) = pool.get(i) {
                out.push(char::from(c));
            }
        }
        if madoguchi_domain::chars::mixes_letters_and_digits(&out) {
            return out;
        }
    }
}

/// Hashes and verifies passwords with the deployment's Argon2id parameters.
#[derive(Clone)]
pub struct PasswordHasherPool {
    params: Params,
    jobs: mpsc::Sender<Job>,
    /// Jobs sent and not yet finished.
    pending: Arc<AtomicUsize>,
    max_pending: usize,
    /// A hash of a random secret with the current parameters: verifying against it costs
    /// what a real verification costs, and never succeeds.
    dummy_hash: Arc<str>,
}

impl PasswordHasherPool {
    /// `threads`: 0 for one less than the cores (at least one); `queue`: jobs that may
    /// wait beyond the running ones.
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        threads: usize,
        duty_percent: u32,
        max_queue: usize,
    ) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("invalid Argon2 parameters: {e}"))?;
        let cores = match threads {
            0 => std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2)
                .saturating_sub(1)
                .max(1),
            n => n,
        };
        // Resting (100 − duty) for every `duty` spent hashing.
        let rest_per_work =
            f64::from(100 - duty_percent.clamp(1, 100)) / f64::from(duty_percent.clamp(1, 100));
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..cores {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    yield_to_pages();
                    loop {
                        // The lock is held only while taking the next job, never while hashing.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => {
                                let started = std::time::Instant::now();
                                job();
                                let rest = started.elapsed().mul_f64(rest_per_work);
                                if !rest.is_zero() {
                                    std::thread::sleep(rest);
                                }
                            }
                            // Every sender is gone: the pool was dropped.
                            Err(_) => return,
                        }
                    }
                })?;
        }
        let unguessable = crate::web::token::random_token();
        let dummy_hash = hash_phc(&params, unguessable.as_bytes())?;
        Ok(Self {
            params,
            jobs,
            pending: Arc::new(AtomicUsize::new(0)),
            max_pending: cores + max_queue,
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Runs `work` on the hashing threads and waits for its result; `Busy` at once when
    /// the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        if self.pending.fetch_add(1, Ordering::SeqCst) >= self.max_pending {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            return Err(HashError::Busy);
        }
        let pending = Arc::clone(&self.pending);
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let result = work();
            // Free the place before answering, so the caller's next job finds it free.
            pending.fetch_sub(1, Ordering::SeqCst);
            let _ = tx.send(result);
        });
        if self.jobs.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            return Err(anyhow::anyhow!("password hashing threads stopped").into());
        }
        rx.await
            .map_err(|_| anyhow::anyhow!("password hashing job was dropped").into())
    }

    /// Hashes `password` into a PHC string with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let params = self.params.clone();
        let secret = password.clone();
        Ok(self
            .run(move || hash_phc(&params, secret.expose().as_bytes()))
            .await??)
    }

    /// True when `password` matches `phc`. A malformed stored hash never matches.
    pub async fn verify(&self, password: &Password, phc: &str) -> Result<bool, HashError> {
        let secret = password.clone();
        let phc = phc.to_owned();
        self.run(move || verify_phc(secret.expose().as_bytes(), &phc))
            .await
    }

    /// Spends the time of one verification, for a login ID that does not exist, so the
    /// response time does not tell which IDs exist.
    pub async fn verify_dummy(&self, password: &Password) -> Result<(), HashError> {
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
        let pool = PasswordHasherPool::new(64, 1, 0, 100, 8).unwrap();
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
        let stronger = PasswordHasherPool::new(128, 1, 1, 100, 8).unwrap();
        assert!(stronger.needs_rehash(&phc));
        assert!(
            !pool
                .verify(&Password::typed("x"), "not a hash")
                .await
                .unwrap()
        );
        pool.verify_dummy(&Password::typed("x")).await.unwrap();
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let pool = PasswordHasherPool::new(8192, 3, 1, 100, 0).unwrap();
        let phc = pool.hash(&Password::typed("Demo1234")).await.unwrap();
        let typed = Password::typed("Demo1234");
        let (a, b) = tokio::join!(pool.verify(&typed, &phc), pool.verify(&typed, &phc));
        let busy = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Err(HashError::Busy)))
            .count();
        assert_eq!(busy, 1, "one thread, no queue: the second is turned away");
        assert!(
            pool.verify(&Password::typed("Demo1234"), &phc)
                .await
                .unwrap()
        );
    }

    #[test]
    fn generated_passwords_obey_the_policy() {
        for _ in 0..200 {
            let p = generate_password(6, 12);
            assert_eq!(p.len(), 12);
            assert!(
                madoguchi_domain::PasswordPolicy::default()
                    .parse_new("x", &p, &p, "someone1")
                    .is_ok()
            );
        }
        assert_eq!(generate_password(16, 20).len(), 16);
    }

    #[tokio::test]
    async fn interoperates_with_the_reference_implementation() {
        use argon2::PasswordHasher;
        let params = Params::new(64, 1, 1, None).unwrap();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password_with_salt(b"Demo1234", b"0123456789abcdef")
            .unwrap()
            .to_string();
        assert!(verify_phc(b"Demo1234", &reference));
        assert!(!verify_phc(b"Demo1235", &reference));
        let ours = hash_phc(&params, b"Demo1234").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        argon2::PasswordVerifier::verify_password(&Argon2::default(), b"Demo1234", &parsed)
            .unwrap();
    }
}
