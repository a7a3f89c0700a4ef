//! Machinery every AWS command shares: polling with backoff, retrying throttled calls, bounded
//! fan-out over targets (per account and region, under one bound for the whole run), progress
//! reporting from concurrent tasks, change-set names that can be found again, and the
//! confirmation prompt.

use std::collections::HashMap;
use std::future::Future;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use crate::aws::{ApiError, ApiResult, Network, StackEvent};
use crate::output::{Board, Printer};

/// Progress reported by a task, for the printer.
#[derive(Clone, Debug)]
pub enum Progress {
    Status { key: String, text: String },
    Event { key: String, event: StackEvent },
}

pub type Tx = mpsc::UnboundedSender<Progress>;

/// Reports a task's status line (ignored when nobody listens any more).
pub fn status(tx: &Tx, key: &str, text: impl Into<String>) {
    let _ = tx.send(Progress::Status {
        key: key.to_string(),
        text: text.into(),
    });
}

/// Polling interval that starts short and backs off, so the API is never hammered.
pub struct Backoff(Duration);

impl Backoff {
    pub fn new() -> Backoff {
        Backoff(Duration::from_millis(200))
    }

    pub async fn wait(&mut self) {
        tokio::time::sleep(self.0).await;
        self.0 = (self.0 * 3 / 2).min(Duration::from_secs(10));
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new()
    }
}

const THROTTLE_RETRIES: usize = 6;

/// Calls again, with backoff, while the endpoint throttles (after the SDK's own retries).
pub async fn patiently<T, Fut>(mut call: impl FnMut() -> Fut) -> ApiResult<T>
where
    Fut: Future<Output = ApiResult<T>>,
{
    let mut backoff = Backoff::new();
    for _ in 0..THROTTLE_RETRIES {
        match call().await {
            Err(ApiError::Throttled(_)) => backoff.wait().await,
            other => return other,
        }
    }
    call().await
}

/// Stacks in flight per account and region by default: what one account's API rate limits
/// tolerate.
pub const DEFAULT_PER_TARGET: usize = 4;
/// Stacks in flight for the whole run by default, whatever the number of accounts.
pub const DEFAULT_IN_FLIGHT: usize = 64;

/// How much work runs at once: at most `per_target` stacks per account and region, and at most
/// `in_flight` for the whole run. Each stack has one request outstanding at a time, so the
/// second bound caps the requests in flight too. Clones share the run-wide bound.
#[derive(Clone, Debug)]
pub struct Limits {
    pub per_target: usize,
    in_flight: Arc<Semaphore>,
}

impl Limits {
    pub fn new(per_target: usize, in_flight: usize) -> Limits {
        Limits {
            per_target: per_target.max(1),
            in_flight: Arc::new(Semaphore::new(in_flight.max(1))),
        }
    }

    /// A place within the run-wide bound, held until dropped.
    pub async fn acquire(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore")
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(DEFAULT_PER_TARGET, DEFAULT_IN_FLIGHT)
    }
}

/// Runs `work` on every item, at most `limits.per_target` at a time for items of the same
/// target (`target(item)`, e.g. the region within one account's share) and within the
/// run-wide bound. A task takes its target's permit before it queues for the run-wide one, so
/// a busy target never holds run-wide places it cannot use; the run-wide queue is first come,
/// first served, so accounts started together share it fairly. The results keep the items'
/// order.
pub async fn bounded<I, R, K, F, Fut>(items: Vec<I>, limits: &Limits, target: K, work: F) -> Vec<R>
where
    I: Send + 'static,
    R: Send + 'static,
    K: Fn(&I) -> String,
    F: Fn(I) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = R> + Send + 'static,
{
    let mut per_target: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut set = JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let own = per_target
            .entry(target(&item))
            .or_insert_with(|| Arc::new(Semaphore::new(limits.per_target)))
            .clone();
        let (run_wide, work) = (limits.in_flight.clone(), work.clone());
        set.spawn(async move {
            let _own = own.acquire_owned().await.expect("semaphore");
            let _run_wide = run_wide.acquire_owned().await.expect("semaphore");
            (i, work(item).await)
        });
    }
    let mut out = Vec::new();
    while let Some(done) = set.join_next().await {
        out.push(done.expect("a bounded task panicked"));
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Runs `work` once per item (usually one account's share of the targets) concurrently,
/// printing the progress the tasks report, and returns the results in the items' order.
/// `None` when Ctrl-C came first: the tasks are then stopped where they are, and the caller
/// cleans up.
pub async fn across<I, R, F, Fut>(
    items: Vec<I>,
    printer: &mut Printer,
    keys: &[String],
    initial: &str,
    work: F,
) -> Option<Vec<R>>
where
    R: Send + 'static,
    F: Fn(I, Tx) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let mut set = JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let task = work(item, tx.clone());
        set.spawn(async move { (i, task.await) });
    }
    drop(tx);
    let gather = async {
        follow(rx, printer, keys, initial).await;
        let mut out = Vec::new();
        while let Some(done) = set.join_next().await {
            out.push(done.expect("a task panicked"));
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, r)| r).collect::<Vec<R>>()
    };
    tokio::select! {
        out = gather => Some(out),
        _ = crate::interrupt::first() => None,
    }
}

const MAX_BOARD_LINES: usize = 40;

/// Prints progress as the tasks report it, until they are all done: a board redrawn in
/// place on a terminal, one plain line per event otherwise.
pub async fn follow(
    mut rx: mpsc::UnboundedReceiver<Progress>,
    printer: &mut Printer,
    keys: &[String],
    initial: &str,
) {
    // A board taller than a terminal cannot be redrawn in place; many targets get lines.
    let mut board = (printer.live_progress() && keys.len() <= MAX_BOARD_LINES)
        .then(|| Board::new(keys.to_vec(), initial));
    if let Some(b) = board.as_mut() {
        printer.draw(b);
    }
    let mut network = NetworkNews::of(printer);
    loop {
        let p = tokio::select! {
            p = rx.recv() => match p {
                Some(p) => p,
                None => break,
            },
            news = network.next() => {
                match board.as_mut() {
                    Some(b) => {
                        b.set(NETWORK_KEY, &news);
                        printer.draw(b);
                    }
                    None => printer.warning(&news),
                }
                continue;
            }
        };
        match (&mut board, p) {
            (Some(b), Progress::Status { key, text }) => {
                b.set(&key, &text);
                printer.draw(b);
            }
            (Some(b), Progress::Event { key, event }) => {
                b.set(
                    &key,
                    &format!(
                        "{} {} ({})",
                        event.status, event.logical_id, event.resource_type
                    ),
                );
                printer.draw(b);
            }
            (None, Progress::Status { key, text }) => printer.detail(&format!("{key}: {text}")),
            (None, Progress::Event { key, event }) => printer.status(&format!(
                "{key}  {:<28} {} ({}){}",
                event.status.as_str(),
                event.logical_id,
                event.resource_type,
                event.reason.map(|r| format!(": {r}")).unwrap_or_default()
            )),
        }
    }
}

/// Awaits `work` while saying on the terminal when AWS cannot be reached and when it answers
/// again; `None` when Ctrl-C came first (the work is dropped where it is).
pub async fn watching<R>(printer: &mut Printer, work: impl Future<Output = R>) -> Option<R> {
    let mut network = NetworkNews::of(printer);
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return Some(out),
            _ = crate::interrupt::first() => return None,
            news = network.next() => printer.warning(&news),
        }
    }
}

/// The news of the network worth saying, as lines: "answers again" only after "cannot
/// reach" was said (the news may change twice between two looks).
struct NetworkNews {
    rx: Option<tokio::sync::watch::Receiver<Network>>,
    said_down: bool,
}

impl NetworkNews {
    fn of(printer: &Printer) -> NetworkNews {
        NetworkNews {
            rx: printer.network_news(),
            said_down: false,
        }
    }

    /// The next line to say; never ready when the run does not watch the network.
    async fn next(&mut self) -> String {
        loop {
            let Some(rx) = self.rx.as_mut() else {
                return std::future::pending().await;
            };
            if rx.changed().await.is_err() {
                self.rx = None;
                continue;
            }
            let news = rx.borrow_and_update().clone();
            if news == Network::Up && !self.said_down {
                continue;
            }
            self.said_down = news != Network::Up;
            return network_line(&news);
        }
    }
}

/// The progress board's line for the network.
const NETWORK_KEY: &str = "network";

/// What the run's AWS clients found of the network, as a progress line.
fn network_line(news: &Network) -> String {
    match news {
        Network::Up => "AWS answers again; carrying on".to_string(),
        Network::Down { until, why, .. } => format!(
            "cannot reach AWS ({why}); retrying for up to {}s more (--network-timeout)",
            until
                .saturating_duration_since(tokio::time::Instant::now())
                .as_secs()
        ),
        Network::GaveUp { after, .. } => format!(
            "AWS has not answered for {}s; stopping and reporting where each stack stands",
            after.as_secs()
        ),
    }
}

/// The change set `deploy` and `plan` create for a render: the same name for the same
/// render, so it can be found again (to delete it on Ctrl-C, or when a run is resumed)
/// without remembering its id.
pub fn change_set_name(sha256: &str) -> String {
    format!("cfn-baseline-{}", &sha256[..12])
}

/// The drift-aware change set `drift --reapply` creates for a render.
pub fn revert_change_set_name(sha256: &str) -> String {
    format!("cfn-baseline-revert-{}", &sha256[..12])
}

/// The IMPORT change set `deploy` and `plan` create to adopt what exists for a render.
pub fn import_change_set_name(sha256: &str) -> String {
    format!("cfn-baseline-import-{}", &sha256[..12])
}

/// Every name a change set of this tool may have for a render.
pub fn change_set_names(sha256: &str) -> [String; 3] {
    [
        change_set_name(sha256),
        revert_change_set_name(sha256),
        import_change_set_name(sha256),
    ]
}

/// Asks on the terminal whether to go ahead; only `y`/`yes` says yes.
pub fn ask(question: &str) -> std::io::Result<bool> {
    ask_with(&format!("{question} [y/N]"), is_yes)
}

/// Whether an answer to a `[y/N]` prompt says yes.
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim(), "y" | "Y" | "yes")
}

/// Whether an answer confirms `weakening` weakening changes: their number, typed.
pub fn confirms_weakening(answer: &str, weakening: usize) -> bool {
    answer.trim() == weakening.to_string()
}

/// Asks `prompt` on the terminal; `accepts` judges the line typed.
fn ask_with(prompt: &str, accepts: impl Fn(&str) -> bool) -> std::io::Result<bool> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{prompt} ")?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(accepts(&answer))
}

/// [`ask`] on a blocking thread; `false` when Ctrl-C comes first (or came before: nothing is
/// asked then) or stdin fails. Callers tell the two apart with [`crate::interrupt::happened`].
pub async fn asked(question: String) -> bool {
    asked_by(format!("{question} [y/N]"), is_yes).await
}

async fn asked_by(prompt: String, accepts: impl Fn(&str) -> bool + Send + 'static) -> bool {
    if crate::interrupt::happened() {
        return false;
    }
    let answer = tokio::select! {
        answer = tokio::task::spawn_blocking(move || ask_with(&prompt, accepts)) => Some(answer),
        _ = crate::interrupt::first() => None,
    };
    matches!(answer, Some(Ok(Ok(true))))
}

/// What a deploy or revert is about to do, as the start of its question.
fn execution(change_sets: usize, settings: usize) -> String {
    match (change_sets, settings) {
        (n, 0) => format!("Execute {n} change set(s)?"),
        (0, p) => format!("Apply {p} setting(s) outside CloudFormation?"),
        (n, p) => {
            format!("Execute {n} change set(s) and apply {p} setting(s) outside CloudFormation?")
        }
    }
}

/// Asks whether to execute change sets and apply settings outside CloudFormation (the
/// IAM password policy, Security Hub controls).
pub async fn confirmed(change_sets: usize, settings: usize) -> bool {
    asked(execution(change_sets, settings)).await
}

/// Asks whether to execute a plan with `weakening` weakening changes, listed just above the
/// prompt: only typing their number says yes, so a reflexive `y` switches nothing off.
pub async fn confirmed_weakening(change_sets: usize, settings: usize, weakening: usize) -> bool {
    let prompt = format!(
        "{} It weakens security in {weakening} place(s), listed above. Type {weakening} to go ahead \
         (anything else: nothing is changed):",
        execution(change_sets, settings)
    );
    asked_by(prompt, move |a| confirms_weakening(a, weakening)).await
}

/// Whether a run that has shown its plan goes on to change things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Go {
    Ahead,
    /// `--yes` without `--allow-weakening` and weakening changes: why, with each of them.
    Refused(String),
    /// The prompt was answered with anything but what confirms.
    NotConfirmed,
    /// Ctrl-C came, at the prompt or at any time before (nothing was waiting for it then).
    Interrupted,
}

/// The gate before the first change of a run that shows `weakening` (one line each):
/// `--yes` goes ahead unless something weakens and `(yes, allow_weakening)` does not allow
/// it; otherwise the prompt asks, with the weakening changes listed right above it and
/// confirmed only by typing their number (`y` where `allow_weakening`). A Ctrl-C received
/// at any time before stops it here.
pub async fn go_ahead(
    printer: &mut Printer,
    command: &str,
    (yes, allow_weakening): (bool, bool),
    (change_sets, settings): (usize, usize),
    weakening: &[String],
) -> Go {
    if !weakening.is_empty() && yes && !allow_weakening {
        let mut why = format!(
            "{command} --yes executes no plan that weakens security unasked; this one has {} \
             weakening change(s):\n",
            weakening.len()
        );
        for line in weakening {
            why.push_str(&format!("  ! {line}\n"));
        }
        why.push_str(
            "Nothing was changed. If these are intended, run again with --allow-weakening; \
             otherwise fix the baseline",
        );
        return Go::Refused(why);
    }
    if !yes {
        if !weakening.is_empty() {
            printer.warning(&format!(
                "this plan weakens security in {} place(s):",
                weakening.len()
            ));
            for line in weakening {
                printer.status(&format!("  ! {line}"));
            }
        }
        let confirmed = if weakening.is_empty() || allow_weakening {
            confirmed(change_sets, settings).await
        } else {
            confirmed_weakening(change_sets, settings, weakening.len()).await
        };
        if !confirmed {
            // The cursor may still be on the prompt line.
            printer.status("");
            return if crate::interrupt::happened() {
                Go::Interrupted
            } else {
                Go::NotConfirmed
            };
        }
    }
    if crate::interrupt::happened() {
        Go::Interrupted
    } else {
        Go::Ahead
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Tracks how many tasks run at once, overall and per target.
    #[derive(Default)]
    struct Gauge {
        now: AtomicUsize,
        peak: AtomicUsize,
        per: std::sync::Mutex<HashMap<String, (usize, usize)>>,
    }

    #[tokio::test(start_paused = true)]
    async fn bounds_hold_per_target_and_for_the_run() {
        let gauge = Arc::new(Gauge::default());
        // 10 accounts x 3 regions x 5 stacks.
        let items: Vec<(String, usize)> = (0..10)
            .flat_map(|a| (0..3).flat_map(move |r| (0..5).map(move |s| (format!("{a}/{r}"), s))))
            .collect();
        let limits = Limits::new(2, 16);
        let g = gauge.clone();
        let out = bounded(
            items.clone(),
            &limits,
            |(t, _)| t.clone(),
            move |(t, s)| {
                let g = g.clone();
                async move {
                    let now = g.now.fetch_add(1, Ordering::SeqCst) + 1;
                    g.peak.fetch_max(now, Ordering::SeqCst);
                    {
                        let mut per = g.per.lock().unwrap();
                        let e = per.entry(t.clone()).or_default();
                        e.0 += 1;
                        e.1 = e.1.max(e.0);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    g.per.lock().unwrap().get_mut(&t).unwrap().0 -= 1;
                    g.now.fetch_sub(1, Ordering::SeqCst);
                    (t, s)
                }
            },
        )
        .await;
        assert_eq!(out, items, "results keep the items' order");
        assert_eq!(gauge.peak.load(Ordering::SeqCst), 16, "the run-wide bound");
        let per = gauge.per.lock().unwrap();
        assert_eq!(per.len(), 30);
        assert!(per.values().all(|(_, peak)| *peak == 2), "{per:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_is_retried_then_reported() {
        let calls = AtomicUsize::new(0);
        let out: ApiResult<()> = patiently(|| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Err(ApiError::Throttled("Rate exceeded".into())) }
        })
        .await;
        assert_eq!(out, Err(ApiError::Throttled("Rate exceeded".into())));
        assert_eq!(calls.load(Ordering::SeqCst), THROTTLE_RETRIES + 1);
    }

    #[test]
    fn change_set_names_are_stable_and_distinct() {
        let sha = "0123456789abcdef0123";
        assert_eq!(change_set_name(sha), "cfn-baseline-0123456789ab");
        let [a, b, c] = change_set_names(sha);
        assert_ne!(a, b);
        assert_ne!(b, c);
        assert_eq!(b, revert_change_set_name(sha));
    }
}
