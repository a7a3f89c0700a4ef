//! One process-wide record of Ctrl-C.
//!
//! tokio's SIGINT handler, once installed, replaces the default action for the rest of the
//! process, and a listener made later does not see a signal that came before it. So a
//! Ctrl-C pressed while nothing happened to be listening (reading settings after the
//! change sets were prepared, say) used to be lost, and `--yes` then executed. Instead,
//! every runtime the commands make starts one listener ([`listen`]) that counts the
//! signals here, and every step that changes anything asks [`happened`] first; waits race
//! against [`after`]. A third Ctrl-C ends the process at once (exit 130), for a user who
//! will not wait for the cleanup.
//!
//! Tests run many commands in one process, so [`scoped`] gives a command (and everything it
//! polls on its own task) a count of its own, which its test records to.

use std::fmt;
use std::future::Future;
use std::sync::OnceLock;

use tokio::sync::watch;

/// The shell's exit status for a run stopped by Ctrl-C (128 + SIGINT).
pub const EXIT_CODE: u8 = 130;

/// How many Ctrl-C make the process end without cleaning up.
const IMPATIENT: usize = 3;

tokio::task_local! {
    static SCOPE: watch::Sender<usize>;
}

fn process() -> &'static watch::Sender<usize> {
    static STATE: OnceLock<watch::Sender<usize>> = OnceLock::new();
    STATE.get_or_init(|| watch::channel(0).0)
}

/// The count in force: the scope's, else the process's.
fn state() -> watch::Sender<usize> {
    SCOPE
        .try_with(Clone::clone)
        .unwrap_or_else(|_| process().clone())
}

/// Runs `work` with a count of Ctrl-C of its own, starting at none.
pub async fn scoped<F: Future>(work: F) -> F::Output {
    SCOPE.scope(watch::channel(0).0, work).await
}

/// Counts every Ctrl-C the process receives while `runtime` runs.
pub fn listen(runtime: &tokio::runtime::Runtime) {
    runtime.spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            record();
        }
    });
}

/// Records one Ctrl-C (the listener's work; tests call it to stand in for the signal).
pub fn record() {
    state().send_modify(|n| *n += 1);
    if SCOPE.try_with(|_| ()).is_err() && count() >= IMPATIENT {
        std::process::exit(i32::from(EXIT_CODE));
    }
}

/// How many Ctrl-C the process has received so far.
pub fn count() -> usize {
    *state().borrow()
}

/// Whether Ctrl-C was pressed at any time in this process: nothing more is changed then.
pub fn happened() -> bool {
    count() > 0
}

/// Resolves once more than `seen` Ctrl-C have been received (at once if they already have).
pub async fn after(seen: usize) {
    let mut rx = state().subscribe();
    // The sender lives in a static, so the channel never closes.
    let _ = rx.wait_for(|n| *n > seen).await;
}

/// Resolves at the first Ctrl-C of the process (at once if there was one already).
pub async fn first() {
    after(0).await
}

/// The error of a run stopped by Ctrl-C; `main` turns it into exit status 130.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// The error that stops a run after Ctrl-C, saying what was and was not changed.
pub fn stopped(what: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Interrupted(what.into()))
}

/// Whether `err` (or an error it wraps) is a stop by Ctrl-C.
pub fn is_interrupted(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<Interrupted>())
}
