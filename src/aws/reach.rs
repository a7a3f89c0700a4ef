//! One budget per run for losing the network. Every call the SDK clients of a run make goes
//! through the same [`Reachability`]: a call that cannot reach AWS is tried again with backoff
//! while the run's outage is younger than the budget; calls started during an outage are cut
//! off when the budget ends; once it has ended, calls fail at once, so cleaning up and
//! reporting take no further network time. Any answer from AWS (an error included) ends the
//! outage.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::{ApiError, ApiResult};

/// Whether AWS answers, as the run last saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Network {
    Up,
    /// Calls have failed to reach AWS since `since`; the run keeps trying until `until`.
    Down {
        since: Instant,
        until: Instant,
        why: String,
    },
    /// The budget ended: the run no longer tries.
    GaveUp {
        after: Duration,
        why: String,
    },
}

pub struct Reachability {
    budget: Duration,
    /// When the current outage began (the start of the first call that failed to reach AWS
    /// with no answer since).
    down_since: Mutex<Option<Instant>>,
    /// When a call last failed to reach AWS.
    last_failed: Mutex<Option<Instant>>,
    news: watch::Sender<Network>,
}

/// First wait before trying an unreachable endpoint again; doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const MAX_PAUSE: Duration = Duration::from_secs(8);

impl Reachability {
    pub fn new(budget: Duration) -> Reachability {
        Reachability {
            budget,
            down_since: Mutex::new(None),
            last_failed: Mutex::new(None),
            news: watch::channel(Network::Up).0,
        }
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// News of the network, for the progress display.
    pub fn watch(&self) -> watch::Receiver<Network> {
        self.news.subscribe()
    }

    fn since(&self) -> Option<Instant> {
        *self.down_since.lock().expect("reachability")
    }

    /// A call started at `started` was answered. An answer to a call sent before the latest
    /// failure says nothing of the network now.
    fn answered(&self, started: Instant) {
        let failed = *self.last_failed.lock().expect("reachability");
        if failed.is_some_and(|f| started < f) {
            return;
        }
        let mut since = self.down_since.lock().expect("reachability");
        if since.take().is_some() {
            self.news.send_replace(Network::Up);
        }
    }

    /// Records a call started at `started` that could not reach AWS; returns the outage's
    /// start.
    fn unreachable(&self, started: Instant, why: &str) -> Instant {
        *self.last_failed.lock().expect("reachability") = Some(Instant::now());
        let mut since = self.down_since.lock().expect("reachability");
        let begun = match *since {
            Some(s) if s <= started => s,
            _ => started,
        };
        let news = if begun.elapsed() >= self.budget {
            Network::GaveUp {
                after: self.budget,
                why: why.to_string(),
            }
        } else {
            Network::Down {
                since: begun,
                until: begun + self.budget,
                why: why.to_string(),
            }
        };
        if since.is_none() || matches!(news, Network::GaveUp { .. }) {
            self.news.send_if_modified(|old| {
                let changed = std::mem::discriminant(old) != std::mem::discriminant(&news);
                if changed {
                    *old = news.clone();
                }
                changed
            });
        }
        *since = Some(begun);
        begun
    }

    /// `why`, and that the run stopped trying.
    fn gave_up(&self, why: &str) -> String {
        format!(
            "{why}; AWS has not answered for {}s, so the run stopped trying (--network-timeout)",
            self.budget.as_secs()
        )
    }

    /// Runs `call` (one SDK operation, already mapped to the tool's errors), trying again
    /// while it cannot reach AWS and the outage is within the budget.
    pub async fn call<T, F, Fut>(&self, op: &str, call: F) -> ApiResult<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let mut pause = FIRST_PAUSE;
        // Why the latest try failed to reach AWS: once one try may have arrived, the call
        // can no longer be reported as never sent.
        let mut tried: Option<String> = None;
        loop {
            let started = Instant::now();
            let deadline = self.since().map(|s| s + self.budget);
            if deadline.is_some_and(|d| d <= started) {
                // Another call's outage may have begun earlier than this call's, moving the
                // end of the budget while this one waited to try again.
                return Err(match tried {
                    Some(why) => ApiError::Transport(self.gave_up(&why)),
                    None => ApiError::NotSent(self.gave_up(&format!("{op} not attempted"))),
                });
            }
            let result = match deadline {
                Some(d) => match tokio::time::timeout_at(d, call()).await {
                    Ok(result) => result,
                    Err(_) => Err(ApiError::Transport(format!("{op}: timed out"))),
                },
                None => call().await,
            };
            let why = match result {
                Err(ApiError::Transport(why)) => why,
                answered => {
                    self.answered(started);
                    return answered;
                }
            };
            let since = self.unreachable(started, &why);
            tried = Some(why.clone());
            let end = since + self.budget;
            if Instant::now() + pause >= end {
                // Another try could not finish within the budget.
                tokio::time::sleep_until(end).await;
                self.unreachable(started, &why);
                return Err(ApiError::Transport(self.gave_up(&why)));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn lost() -> ApiResult<()> {
        Err(ApiError::Transport("X: could not connect".into()))
    }

    #[tokio::test(start_paused = true)]
    async fn an_outage_is_retried_until_the_budget_then_every_call_fails_at_once() {
        let reach = Reachability::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let started = Instant::now();
        let out = reach
            .call("X", || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { lost() }
            })
            .await;
        let waited = started.elapsed();
        assert!(matches!(out, Err(ApiError::Transport(m)) if m.contains("stopped trying")));
        assert_eq!(waited, Duration::from_secs(60), "the budget, no more");
        let tries = calls.load(Ordering::SeqCst);
        assert!((5..=12).contains(&tries), "{tries} tries with backoff");
        assert!(matches!(*reach.watch().borrow(), Network::GaveUp { .. }));

        // The next call is not even attempted.
        let before = Instant::now();
        let out = reach
            .call("Y", || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Ok(()) }
            })
            .await;
        assert!(matches!(out, Err(ApiError::NotSent(m)) if m.contains("not attempted")));
        assert_eq!(calls.load(Ordering::SeqCst), tries);
        assert_eq!(before.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_tried_once_is_never_reported_as_not_sent() {
        // A call that failed to reach AWS waits to try again; meanwhile a call that was sent
        // long before fails too, so the outage began earlier and the budget ends while the
        // first waits. Its request may have arrived: it is reported as unreachable, not as
        // never sent (for ExecuteChangeSet that is the difference between "unknown" and
        // "change set ready").
        let reach = Reachability::new(Duration::from_secs(5));
        let slow = reach.call("Slow", || async {
            tokio::time::sleep(Duration::from_millis(4900)).await;
            lost()
        });
        let quick = async {
            tokio::time::sleep(Duration::from_millis(4800)).await;
            reach.call("ExecuteChangeSet", || async { lost() }).await
        };
        let (_, quick) = tokio::join!(slow, quick);
        match quick {
            Err(ApiError::Transport(m)) => assert!(m.contains("stopped trying"), "{m}"),
            other => panic!("expected unreachable, got {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_short_outage_is_absorbed_and_ends_with_an_answer() {
        let reach = Reachability::new(Duration::from_secs(60));
        let news = reach.watch();
        let calls = AtomicUsize::new(0);
        let out = reach
            .call("X", || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 3 {
                        lost()
                    } else {
                        Ok(())
                    }
                }
            })
            .await;
        assert_eq!(out, Ok(()));
        assert_eq!(*news.borrow(), Network::Up);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_hangs_during_an_outage_is_cut_off_at_the_budget() {
        let reach = Reachability::new(Duration::from_secs(30));
        let started = Instant::now();
        // One call finds the network gone; another, started meanwhile, hangs.
        let failing = reach.call("X", || async { lost() });
        let hanging = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            reach
                .call("Y", || async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(())
                })
                .await
        };
        let (a, b) = tokio::join!(failing, hanging);
        assert!(a.is_err() && b.is_err());
        assert!(
            started.elapsed() <= Duration::from_secs(31),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn errors_from_aws_are_answers_not_outages() {
        let reach = Reachability::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let out: ApiResult<()> = reach
            .call("X", || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(ApiError::NotFound("no such stack".into())) }
            })
            .await;
        assert!(matches!(out, Err(ApiError::NotFound(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
