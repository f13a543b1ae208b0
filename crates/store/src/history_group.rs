//! Group commit of the 操作履歴's standalone appends: entries with no other change to share
//! a transaction with (a look at the 操作履歴, a refused request, a failed login).
//!
//! Each of them was a durable transaction of its own, and a durable transaction costs far
//! more than the entry in it: on this machine about 300 µs of the app's CPU before anything
//! is written, against about 1 µs to seal the entry (docs/performance.md). So the appends
//! that arrive while one is being written wait for it and then go together, in one
//! transaction. Each caller still returns only once its own entry is committed, so nothing
//! acknowledged can be lost; an append that finds no one writing goes at once, alone, as
//! before. Appends inside an operation's transaction (`append_in`) are not affected.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use crate::StoreResult;
use crate::error::StoreError;
use crate::history_draft::HistoryDraft;

/// What writes a batch of drafts in one transaction, in order (the store: `history.rs`).
pub(crate) trait WriteTogether: Clone + Send + Sync + 'static {
    fn write_together<'a>(
        &'a self,
        drafts: &'a [HistoryDraft],
    ) -> impl Future<Output = StoreResult<()>> + Send + 'a;
}

/// Entries per transaction at most: a batch holds its chains' head rows until it commits,
/// so its size bounds how long an operation of one of those companies waits for it.
const MOST_PER_TRANSACTION: usize = 256;

/// Where a waiting append hears whether its entry was committed.
type Reply = oneshot::Sender<StoreResult<()>>;

/// The appends waiting for the batch being written (shared by a store's clones).
#[derive(Debug, Default)]
pub(crate) struct AppendQueue {
    waiting: Mutex<Vec<(HistoryDraft, Reply)>>,
    /// Held while a batch is written: one at a time, so that the others gather behind it.
    writing: tokio::sync::Mutex<()>,
}

impl AppendQueue {
    fn waiting(&self) -> MutexGuard<'_, Vec<(HistoryDraft, Reply)>> {
        // Nothing panics while the list is held (a push, a take), so a poisoned lock
        // still holds a whole list.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `draft` in a transaction of its own, or shared with the appends that
    /// arrived while another batch was being written; returns once it is committed.
    pub(crate) async fn append(
        self: &Arc<Self>,
        writer: impl WriteTogether,
        draft: HistoryDraft,
    ) -> StoreResult<()> {
        let queue = Arc::clone(self);
        // A task of its own, so that a caller dropped halfway (a client that went away)
        // cannot drop a batch that carries other callers' entries.
        tokio::spawn(async move { queue.wait_and_write(&writer, draft).await })
            .await
            .map_err(|e| StoreError::Corrupt(format!("the 操作履歴's writer stopped: {e}")))?
    }

    async fn wait_and_write(
        &self,
        writer: &impl WriteTogether,
        draft: HistoryDraft,
    ) -> StoreResult<()> {
        let (reply, mut answer) = oneshot::channel();
        self.waiting().push((draft, reply));
        // The answer, if the batch being written took this entry; else the turn to write
        // everything waiting. Whoever was answered leaves the queue for the turn at once:
        // were they to keep their places, each would come to the turn with only the one
        // entry pushed since, and the batches would stay single (measured: 1,104 of the
        // 1,110 batches of 1,184 appends by 1, 8 and 64 writers held one entry).
        tokio::select! {
            biased;
            answered = &mut answer => return heard(answered),
            turn = self.writing.lock() => {
                // Everything waiting now: this entry too, unless the batch before took it
                // (and answered it before giving the turn up).
                let batch = std::mem::take(&mut *self.waiting());
                write_batch(writer, batch).await;
                drop(turn);
            }
        }
        heard(answer.await)
    }
}

/// Writes `batch` in order, at most `MOST_PER_TRANSACTION` to a transaction, and
/// answers each of its appends.
async fn write_batch(writer: &impl WriteTogether, mut batch: Vec<(HistoryDraft, Reply)>) {
    while !batch.is_empty() {
        let (drafts, replies): (Vec<_>, Vec<_>) =
            batch.drain(..batch.len().min(MOST_PER_TRANSACTION)).unzip();
        match writer.write_together(&drafts).await {
            Ok(()) => {
                for reply in replies {
                    answer(reply, Ok(()));
                }
            }
            // Every caller of the batch hears that it failed. None is tried again: a
            // commit whose answer was lost may have been made, and another try would
            // record the event twice; no entry can be refused on its own (their text is
            // made printable, and no rule of the table concerns one entry), so a failure
            // is the database's, and each caller would have met it alone as well.
            Err(e) => {
                let account = format!("{e:?}");
                let mut replies = replies.into_iter();
                if let Some(first) = replies.next() {
                    answer(first, Err(e));
                }
                for reply in replies {
                    answer(reply, Err(StoreError::Unwritten(account.clone())));
                }
            }
        }
    }
}

/// The answer a waiting append heard. Its task and the one writing its batch cannot be
/// cancelled, so an answer always comes; a dropped sender would be a bug.
fn heard(answer: Result<StoreResult<()>, oneshot::error::RecvError>) -> StoreResult<()> {
    answer.map_err(|_| StoreError::Corrupt("a 操作履歴 append went unanswered".to_owned()))?
}

/// Tells a waiting append how it went. Its task cannot be cancelled, so it is listening;
/// were it not, there would be no one left to tell.
fn answer(reply: Reply, result: StoreResult<()>) {
    reply.send(result).ok();
}
