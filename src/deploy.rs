//! The deploy state machine over the narrow CloudFormation interface: prepare a change set
//! per stack (or find it unchanged), then either discard them (plan) or execute them in
//! dependency waves and follow each stack until it settles (deploy). Reports progress as
//! events; never prints.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::adopt::Adoption;
use crate::aws::{
    ApiError, ApiResult, Capability, ChangeSetKind, ChangeSetRequest, ResourceChange, StackApi,
    StackState, StackStatus,
};
use crate::fanout::{self, bounded, patiently, status, Backoff, Limits, Progress, Tx};
use crate::plan::Component;
use crate::render::RenderedStack;
use crate::template::Template;

/// One stack to deploy: the render plus where and how.
#[derive(Clone, Debug)]
pub struct Job {
    pub key: String,
    pub stack_name: String,
    pub region: String,
    pub order: u32,
    pub depends_on: Vec<String>,
    pub body: Arc<str>,
    pub sha256: String,
    pub tags: Vec<(String, String)>,
    pub capabilities: Vec<Capability>,
    /// What exists already and what to do with it (from discovery), when anything does.
    pub adoption: Option<Arc<Adoption>>,
    pub component: Component,
    /// The rendered template, parsed.
    pub template: Arc<Template>,
    /// The stack id and deployed template discovery read, when the stack was deployed then:
    /// prepare uses it rather than read it again, unless it finds the stack being changed.
    pub deployed: Option<(String, Arc<str>)>,
}

impl Job {
    pub fn new(stack: &RenderedStack, tags: Vec<(String, String)>) -> Job {
        Job {
            key: stack.spec.key(),
            stack_name: stack.spec.stack_name.clone(),
            region: stack.spec.region.clone(),
            order: stack.spec.order,
            depends_on: stack.spec.depends_on.clone(),
            body: stack.body.clone(),
            sha256: stack.sha256.clone(),
            tags,
            capabilities: capabilities(&stack.template.value),
            adoption: None,
            component: stack.spec.component,
            template: stack.template.clone(),
            deployed: None,
        }
    }
}

/// CAPABILITY_NAMED_IAM only where an IAM resource carries an explicit name.
pub fn capabilities(template: &serde_json::Value) -> Vec<Capability> {
    let Some(resources) = template.get("Resources").and_then(|r| r.as_object()) else {
        return vec![];
    };
    let iam: Vec<&serde_json::Value> = resources
        .values()
        .filter(|r| {
            r["Type"]
                .as_str()
                .is_some_and(|t| t.starts_with("AWS::IAM::"))
        })
        .collect();
    if iam.is_empty() {
        return vec![];
    }
    let named = iam.iter().any(|r| {
        [
            "RoleName",
            "PolicyName",
            "UserName",
            "GroupName",
            "ManagedPolicyName",
            "InstanceProfileName",
        ]
        .iter()
        .any(|k| r["Properties"].get(k).is_some())
    });
    vec![if named {
        Capability::NamedIam
    } else {
        Capability::Iam
    }]
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prepared {
    /// The deployed template and tags equal the render: no change set was created.
    Unchanged,
    /// A change set was created and CloudFormation found nothing to change.
    NoChanges,
    /// A change set waits to be executed (or discarded).
    Pending {
        change_set_id: String,
        kind: ChangeSetKind,
        changes: Vec<ResourceChange>,
        /// The stack was replaced (deleted after ROLLBACK_COMPLETE) before this change set.
        replaced: bool,
        /// The deployed template (updates only), for the security impact of the change.
        deployed: Option<String>,
    },
    Failed(StackFailure),
}

/// Why one stack could not be prepared, deployed or reverted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFailure {
    pub stack_name: String,
    pub region: String,
    pub kind: FailureKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// A call failed; `doing` says what the tool was doing ("creating a change set for").
    Api {
        doing: &'static str,
        error: ApiError,
    },
    /// Another change kept the stack in progress longer than the time-out.
    StillInProgress {
        status: StackStatus,
        waited: Duration,
    },
    /// The first create failed (ROLLBACK_COMPLETE/ROLLBACK_FAILED): only deleting helps.
    FailedCreate {
        status: StackStatus,
    },
    /// Deleting a failed stack (under --replace-failed) failed.
    DeleteFailed {
        reason: String,
    },
    /// Drift can only be reverted on a deployed stack.
    NotDeployed,
    /// The endpoint made an ordinary change set where a drift-aware one was asked for.
    RevertUnsupported,
    ChangeSetFailed {
        reason: String,
    },
    Timeout {
        what: &'static str,
        after: Duration,
    },
    Disappeared,
    /// The stack settled in a state other than the one the change set was to reach.
    Ended {
        status: StackStatus,
        reason: Option<String>,
        /// "logical id (type): reason" of every resource that failed.
        failures: Vec<String>,
    },
}

impl StackFailure {
    fn new(job: &Job, kind: FailureKind) -> StackFailure {
        StackFailure {
            stack_name: job.stack_name.clone(),
            region: job.region.clone(),
            kind,
        }
    }
}

impl std::fmt::Display for StackFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, region) = (&self.stack_name, &self.region);
        match &self.kind {
            FailureKind::Api { doing, error } => write!(f, "{doing} {name} in {region}: {error}"),
            FailureKind::StillInProgress { status, waited } => write!(
                f,
                "{name} in {region} is still {status} after {waited:?}; try again later"
            ),
            FailureKind::FailedCreate { status } => write!(
                f,
                "{name} in {region} is in {status} (its first create failed) and cannot be \
                 updated; rerun with --replace-failed to delete and re-create it"
            ),
            FailureKind::DeleteFailed { reason } => {
                write!(f, "deleting the failed {name} in {region} failed: {reason}")
            }
            FailureKind::NotDeployed => write!(
                f,
                "{name} in {region} is not deployed, so there is no drift to revert; deploy it first"
            ),
            FailureKind::RevertUnsupported => write!(
                f,
                "the endpoint made an ordinary change set for {name} in {region}, not a \
                 drift-aware one (DeploymentMode REVERT_DRIFT is not supported there); deleted \
                 it, nothing was changed"
            ),
            FailureKind::ChangeSetFailed { reason } => {
                write!(f, "the change set for {name} in {region} failed: {reason}")
            }
            FailureKind::Timeout { what, after } => {
                write!(f, "{what} for {name} in {region} did not finish in {after:?}")
            }
            FailureKind::Disappeared => {
                write!(f, "{name} in {region} disappeared while deploying")
            }
            FailureKind::Ended {
                status,
                reason,
                failures,
            } => {
                write!(f, "{name} in {region} ended in {status}")?;
                if let Some(r) = reason {
                    write!(f, " ({r})")?;
                }
                if !failures.is_empty() {
                    write!(f, "; failed resources: {}", failures.join("; "))?;
                }
                Ok(())
            }
        }
    }
}

/// Where one stack stands, as far as this run knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    NotStarted,
    /// Nothing to change.
    Unchanged,
    /// A change set waits to be executed.
    ChangeSetReady,
    /// Its change set was executed and the stack had not settled when the run stopped.
    Executing,
    Complete,
    Failed,
    /// Its change set was executed, then AWS could not be reached: it may have settled since.
    Unknown,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::NotStarted => "not started",
            Phase::Unchanged => "unchanged",
            Phase::ChangeSetReady => "change set ready",
            Phase::Executing => "executing",
            Phase::Complete => "complete",
            Phase::Failed => "failed",
            Phase::Unknown => "unknown",
        }
    }
}

/// What became of the change set this run made for a stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    Pending,
    Executed,
    Deleted,
    /// It could not be deleted; the reason. The next run replaces it by name.
    Left(String),
}

/// One stack's standing: its phase and its change set (name and fate), if it got one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub phase: Phase,
    pub change_set: Option<(String, Fate)>,
}

/// Where every stack of a run stands, kept as the run goes (clones share it), so that a run
/// stopped at any point (a failure, Ctrl-C, the network lost) can say so.
#[derive(Clone, Debug, Default)]
pub struct Tracker(Arc<std::sync::Mutex<HashMap<String, Standing>>>);

impl Tracker {
    pub fn phase(&self, key: &str, phase: Phase) {
        self.0
            .lock()
            .expect("tracker")
            .entry(key.to_string())
            .or_default()
            .phase = phase;
    }

    pub fn change_set(&self, key: &str, name: &str, fate: Fate) {
        self.0
            .lock()
            .expect("tracker")
            .entry(key.to_string())
            .or_default()
            .change_set = Some((name.to_string(), fate));
    }

    /// No change set was made after all.
    pub fn no_change_set(&self, key: &str) {
        if let Some(s) = self.0.lock().expect("tracker").get_mut(key) {
            s.change_set = None;
        }
    }

    /// A stack's standing (not started when nothing was recorded).
    pub fn standing(&self, key: &str) -> Standing {
        self.0
            .lock()
            .expect("tracker")
            .get(key)
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct PreparedStack {
    pub job: Job,
    pub state: Prepared,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Stacks in flight per account and region, and for the whole run.
    pub limits: Limits,
    /// Delete a stack in ROLLBACK_COMPLETE and create it again.
    pub replace_failed: bool,
    /// Longest wait for a stack or change set to settle.
    pub timeout: Duration,
    /// Drift-aware change sets (DeploymentMode REVERT_DRIFT) for existing stacks, made even
    /// when the template is unchanged, to put back what was changed outside CloudFormation.
    pub revert_drift: bool,
    /// Where each stack stands, for the report of a stopped run.
    pub tracker: Tracker,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            replace_failed: false,
            revert_drift: false,
            timeout: Duration::from_secs(60 * 60),
            tracker: Tracker::default(),
        }
    }
}

/// What one listing per region said about an account's stacks. A stack absent from a region
/// that was listed does not exist there; a region not listed is not known.
#[derive(Clone, Debug, Default)]
pub struct Listing(HashMap<String, HashMap<String, StackState>>);

impl Listing {
    /// Lists every stack of each region (one paginated DescribeStacks per region, the
    /// regions concurrently within `limits`).
    pub async fn of<A: StackApi>(
        api: Arc<A>,
        regions: Vec<String>,
        limits: &Limits,
    ) -> ApiResult<Listing> {
        let listed = bounded(regions, limits, String::clone, move |region| {
            let api = api.clone();
            async move {
                let stacks = patiently(|| api.stacks(&region)).await;
                (region, stacks)
            }
        })
        .await;
        let mut out = HashMap::new();
        for (region, stacks) in listed {
            out.insert(region, stacks?.into_iter().collect());
        }
        Ok(Listing(out))
    }

    /// `Some(state)` when the region was listed (`None` inside: no such stack).
    pub fn known(&self, region: &str, name: &str) -> Option<Option<StackState>> {
        self.0.get(region).map(|stacks| stacks.get(name).cloned())
    }

    /// Every listed stack in the region, by name.
    pub fn in_region(&self, region: &str) -> impl Iterator<Item = (&String, &StackState)> {
        self.0.get(region).into_iter().flatten()
    }
}

/// Prepares every job concurrently (bounded): compares with the deployed stack and creates a
/// change set only where something differs.
pub async fn prepare<A: StackApi>(
    api: Arc<A>,
    jobs: Vec<Job>,
    options: Options,
    tx: Tx,
) -> Vec<PreparedStack> {
    prepare_listed(api, jobs, options, tx, Arc::new(Listing::default())).await
}

/// [`prepare`], starting from what a [`Listing`] already says of each stack, so that an
/// unchanged stack costs one GetTemplate and nothing more.
pub async fn prepare_listed<A: StackApi>(
    api: Arc<A>,
    jobs: Vec<Job>,
    options: Options,
    tx: Tx,
    listing: Arc<Listing>,
) -> Vec<PreparedStack> {
    let limits = options.limits.clone();
    bounded(
        jobs,
        &limits,
        |job| job.region.clone(),
        move |job| {
            let (api, tx, options) = (api.clone(), tx.clone(), options.clone());
            let known = listing.known(&job.region, &job.stack_name);
            async move {
                let state = prepare_one(api.as_ref(), &job, &options, &tx, known).await;
                PreparedStack { job, state }
            }
        },
    )
    .await
}

async fn prepare_one<A: StackApi>(
    api: &A,
    job: &Job,
    options: &Options,
    tx: &Tx,
    known: Option<Option<StackState>>,
) -> Prepared {
    let prepared = match prepare_inner(api, job, options, tx, known).await {
        Ok(p) => p,
        Err(e) => Prepared::Failed(e),
    };
    options.tracker.phase(
        &job.key,
        match &prepared {
            Prepared::Unchanged | Prepared::NoChanges => Phase::Unchanged,
            Prepared::Pending { .. } => Phase::ChangeSetReady,
            // Nothing was executed: the stack is as it was.
            Prepared::Failed(_) => Phase::NotStarted,
        },
    );
    prepared
}

async fn prepare_inner<A: StackApi>(
    api: &A,
    job: &Job,
    options: &Options,
    tx: &Tx,
    known: Option<Option<StackState>>,
) -> Result<Prepared, StackFailure> {
    let (region, name) = (job.region.as_str(), job.stack_name.as_str());
    let err = |doing: &'static str, error: ApiError| {
        StackFailure::new(job, FailureKind::Api { doing, error })
    };
    let fail = |kind: FailureKind| StackFailure::new(job, kind);
    let mut stack = match known {
        Some(known) => known,
        None => patiently(|| api.describe_stack(region, name))
            .await
            .map_err(|e| err("describing", e))?,
    };

    // A stack already being changed: wait for it to settle.
    let started = Instant::now();
    let mut backoff = Backoff::new();
    let mut waited = false;
    while let Some(s) = stack.as_ref().filter(|s| s.status.is_in_progress()) {
        waited = true;
        if started.elapsed() > options.timeout {
            return Err(fail(FailureKind::StillInProgress {
                status: s.status.clone(),
                waited: options.timeout,
            }));
        }
        status(tx, &job.key, format!("waiting: the stack is {}", s.status));
        backoff.wait().await;
        stack = patiently(|| api.describe_stack(region, name))
            .await
            .map_err(|e| err("describing", e))?;
    }

    let mut replaced = false;
    if let Some(s) = &stack {
        if s.status.is_failed_create() {
            if !options.replace_failed {
                return Err(fail(FailureKind::FailedCreate {
                    status: s.status.clone(),
                }));
            }
            status(
                tx,
                &job.key,
                format!("deleting the failed stack ({})", s.status),
            );
            delete_and_wait(api, job).await?;
            stack = None;
            replaced = true;
        } else if s.status.is_review() && !options.revert_drift {
            // An empty shell (a create change set never executed), left by an interrupted run:
            // remove it with its change sets and create afresh.
            status(tx, &job.key, "removing the empty stack an earlier run left");
            delete_and_wait(api, job).await?;
            stack = None;
        }
    }

    let mut deployed_body = None;
    let kind = match &stack {
        Some(s) if !s.status.is_review() => {
            let read = job
                .deployed
                .as_ref()
                .filter(|(id, _)| !waited && *id == s.stack_id)
                .map(|(_, body)| body.to_string());
            let deployed = match read {
                Some(body) => body,
                None => patiently(|| api.get_template(region, name))
                    .await
                    .map_err(|e| err("reading the template of", e))?,
            };
            let wanted: BTreeSet<&(String, String)> = job.tags.iter().collect();
            let have: BTreeSet<&(String, String)> = s.tags.iter().collect();
            if *deployed == *job.body && wanted == have && !options.revert_drift {
                return Ok(Prepared::Unchanged);
            }
            deployed_body = Some(deployed);
            ChangeSetKind::Update
        }
        _ if options.revert_drift => return Err(fail(FailureKind::NotDeployed)),
        _ => ChangeSetKind::Create,
    };

    // Resources of the stack that exist outside it already: import those first (into a new
    // stack, or into the deployed one as it is).
    let adoption = job
        .adoption
        .as_deref()
        .filter(|a| !a.imports.is_empty() && !options.revert_drift);
    let (kind, template_body, resources_to_import) = match adoption {
        Some(a) => (
            ChangeSetKind::Import,
            a.import_body.clone().unwrap_or_default(),
            a.imports.clone(),
        ),
        None => (kind, job.body.to_string(), Vec::new()),
    };
    let short = &job.sha256[..12];
    let request = ChangeSetRequest {
        region: job.region.clone(),
        stack_name: job.stack_name.clone(),
        change_set_name: change_set_name_for(job, kind, options),
        kind,
        template_body,
        tags: job.tags.clone(),
        capabilities: job.capabilities.clone(),
        client_token: format!(
            "cfn-baseline-{}{short}-{}",
            if kind == ChangeSetKind::Import {
                "import-"
            } else if options.revert_drift {
                "revert-"
            } else {
                ""
            },
            job.stack_name
        )
        .chars()
        .take(128)
        .collect(),
        revert_drift: options.revert_drift,
        resources_to_import,
    };
    status(tx, &job.key, "creating change set");
    // Recorded before the call: when its answer is lost, the change set may exist all the same.
    options
        .tracker
        .change_set(&job.key, &request.change_set_name, Fate::Pending);
    let id = match patiently(|| api.create_change_set(&request)).await {
        Ok(id) => id,
        Err(ApiError::NoChanges(_)) => {
            options.tracker.no_change_set(&job.key);
            return Ok(Prepared::NoChanges);
        }
        // Left behind by an interrupted run (found by its name): replace it.
        Err(ApiError::AlreadyExists(_)) => {
            status(tx, &job.key, "replacing a change set left behind");
            patiently(|| api.delete_change_set(region, name, &request.change_set_name))
                .await
                .map_err(|e| err("deleting the change set left behind for", e))?;
            patiently(|| api.create_change_set(&request))
                .await
                .map_err(|e| err("creating a change set for", e))?
        }
        Err(e) => return Err(err("creating a change set for", e)),
    };
    let mut backoff = Backoff::new();
    let started = Instant::now();
    loop {
        let cs = patiently(|| api.describe_change_set(region, name, &id))
            .await
            .map_err(|e| err("describing the change set of", e))?;
        if cs.status.is_ready() {
            if options.revert_drift && !cs.revert_drift {
                drop_change_set(api, job, options, &request.change_set_name, &id).await;
                return Err(fail(FailureKind::RevertUnsupported));
            }
            if cs.changes.is_empty() {
                drop_change_set(api, job, options, &request.change_set_name, &id).await;
                return Ok(Prepared::NoChanges);
            }
            return Ok(Prepared::Pending {
                change_set_id: id,
                kind,
                changes: cs.changes,
                replaced,
                deployed: deployed_body,
            });
        }
        if cs.failed_without_changes() {
            drop_change_set(api, job, options, &request.change_set_name, &id).await;
            if kind == ChangeSetKind::Create {
                let _ = api.delete_stack(region, name).await;
            }
            return Ok(Prepared::NoChanges);
        }
        if cs.status.is_failed() {
            return Err(fail(FailureKind::ChangeSetFailed {
                reason: cs.status_reason.unwrap_or_else(|| "no reason given".into()),
            }));
        }
        if started.elapsed() > options.timeout {
            return Err(fail(FailureKind::Timeout {
                what: "the change set",
                after: options.timeout,
            }));
        }
        backoff.wait().await;
    }
}

/// Deletes a change set `prepare` has no use for, and records whether that worked.
async fn drop_change_set<A: StackApi>(api: &A, job: &Job, options: &Options, name: &str, id: &str) {
    let fate = match api
        .delete_change_set(&job.region, &job.stack_name, id)
        .await
    {
        Ok(()) | Err(ApiError::NotFound(_)) => Fate::Deleted,
        Err(e) => Fate::Left(e.to_string()),
    };
    options.tracker.change_set(&job.key, name, fate);
}

/// Deletes a stack and waits until it is gone.
async fn delete_and_wait<A: StackApi>(api: &A, job: &Job) -> Result<(), StackFailure> {
    let (region, name) = (job.region.as_str(), job.stack_name.as_str());
    let err = |doing: &'static str, error: ApiError| {
        StackFailure::new(job, FailureKind::Api { doing, error })
    };
    patiently(|| api.delete_stack(region, name))
        .await
        .map_err(|e| err("deleting", e))?;
    let mut backoff = Backoff::new();
    loop {
        match patiently(|| api.describe_stack(region, name))
            .await
            .map_err(|e| err("describing", e))?
        {
            None => return Ok(()),
            Some(s) if s.status.is_deleted() => return Ok(()),
            Some(s) if s.status.is_delete_failed() => {
                return Err(StackFailure::new(
                    job,
                    FailureKind::DeleteFailed {
                        reason: s.status_reason.unwrap_or_default(),
                    },
                ))
            }
            Some(_) => backoff.wait().await,
        }
    }
}

/// Deletes the change sets `prepare` created, and the empty new-stack shells
/// (REVIEW_IN_PROGRESS) that came with them. Used by plan, when a deploy is declined or
/// stopped, and for the change sets a failed deploy did not reach. Records each change set's
/// fate in `tracker`; returns what could not be done, as sentences.
pub async fn discard<A: StackApi>(
    api: &A,
    prepared: &[PreparedStack],
    tracker: &Tracker,
) -> Vec<String> {
    let mut problems = Vec::new();
    // Once AWS cannot be reached, every further call would wait the whole network time-out:
    // name what is left instead.
    let mut unreachable = false;
    for p in prepared {
        let (region, name) = (p.job.region.as_str(), p.job.stack_name.as_str());
        // A change set made and not executed: the one prepare returned, or one whose
        // preparation stopped after it was created (found by its name).
        let (change_set, target, new_stack) = match (&p.state, tracker.standing(&p.job.key)) {
            (
                _,
                Standing {
                    change_set: Some((_, Fate::Executed | Fate::Deleted)),
                    ..
                },
            ) => continue,
            (
                Prepared::Pending {
                    change_set_id,
                    kind,
                    ..
                },
                standing,
            ) => (
                standing
                    .change_set
                    .map(|(n, _)| n)
                    .unwrap_or_else(|| fanout::change_set_name(&p.job.sha256)),
                change_set_id.clone(),
                *kind == ChangeSetKind::Create,
            ),
            (
                _,
                Standing {
                    change_set: Some((n, _)),
                    ..
                },
            ) => (n.clone(), n, true),
            _ => continue,
        };
        if unreachable {
            tracker.change_set(&p.job.key, &change_set, Fate::Left(UNREACHABLE.into()));
            problems.push(left_behind(&p.job, &change_set));
            continue;
        }
        match api.delete_change_set(region, name, &target).await {
            Ok(()) | Err(ApiError::NotFound(_)) => {}
            Err(e) => {
                unreachable = e.is_unreachable();
                tracker.change_set(&p.job.key, &change_set, Fate::Left(why_left(&e)));
                problems.push(if unreachable {
                    left_behind(&p.job, &change_set)
                } else {
                    format!("deleting the change set of {name} in {region}: {e}")
                });
                continue;
            }
        }
        tracker.change_set(&p.job.key, &change_set, Fate::Deleted);
        if new_stack {
            match api.describe_stack(region, name).await {
                Ok(Some(s)) if s.status.is_review() => {
                    if let Err(e) = api.delete_stack(region, name).await {
                        problems.push(format!(
                            "removing the empty new stack {name} in {region}: {e}"
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    problems
}

/// Why a change set could not be deleted, briefly (the whole error is reported once above).
fn why_left(e: &ApiError) -> String {
    match e {
        e if e.is_unreachable() => UNREACHABLE.to_string(),
        e => e.to_string(),
    }
}

/// Why a change set was left when AWS stopped answering.
const UNREACHABLE: &str = "AWS could not be reached";

/// What a change set left behind is called and where, for the user to find (and for the next
/// run, which replaces it by name).
fn left_behind(job: &Job, change_set: &str) -> String {
    format!(
        "change set {change_set} of {} in {} was left (AWS could not be reached); the next run replaces it",
        job.stack_name, job.region
    )
}

/// Deletes, by name, the change sets `prepare` may have created for these jobs and the empty
/// new-stack shells that came with them, whether or not `prepare` finished (Ctrl-C).
/// Missing change sets are not problems.
pub async fn abandon<A: StackApi>(api: &A, jobs: &[Job], tracker: &Tracker) -> Vec<String> {
    let mut problems = Vec::new();
    let mut unreachable = false;
    for job in jobs {
        let (region, name) = (job.region.as_str(), job.stack_name.as_str());
        let standing = tracker.standing(&job.key);
        if matches!(
            standing.change_set,
            Some((_, Fate::Executed | Fate::Deleted))
        ) {
            continue;
        }
        let leave = |why: &str| {
            if let Some((change_set, _)) = &standing.change_set {
                tracker.change_set(&job.key, change_set, Fate::Left(why.to_string()));
            }
        };
        if unreachable {
            leave(UNREACHABLE);
            if let Some((change_set, _)) = &standing.change_set {
                problems.push(left_behind(job, change_set));
            }
            continue;
        }
        let stack = match api.describe_stack(region, name).await {
            Ok(Some(stack)) => stack,
            Ok(None) => continue,
            Err(e) => {
                unreachable = e.is_unreachable();
                leave(&why_left(&e));
                match (&standing.change_set, unreachable) {
                    (Some((change_set, _)), true) => problems.push(left_behind(job, change_set)),
                    (_, true) => {}
                    _ => problems.push(format!("describing {name} in {region}: {e}")),
                }
                continue;
            }
        };
        // The change set this run made, if it knows; else any this tool might have made.
        let known = standing.change_set.as_ref().map(|(n, _)| n.clone());
        let names = match &known {
            Some(n) => vec![n.clone()],
            None => fanout::change_set_names(&job.sha256).to_vec(),
        };
        for change_set in names {
            match api.delete_change_set(region, name, &change_set).await {
                Ok(()) => tracker.change_set(&job.key, &change_set, Fate::Deleted),
                Err(ApiError::NotFound(_)) => {
                    if known.is_some() {
                        tracker.no_change_set(&job.key);
                    }
                }
                // Some endpoints answer a name they do not have with a bare error.
                Err(ApiError::Unsupported(_)) if known.is_none() => {}
                Err(e) => {
                    unreachable = e.is_unreachable();
                    tracker.change_set(&job.key, &change_set, Fate::Left(why_left(&e)));
                    problems.push(if unreachable {
                        left_behind(job, &change_set)
                    } else {
                        format!("deleting the change set {change_set} of {name} in {region}: {e}")
                    });
                    if unreachable {
                        break;
                    }
                }
            }
        }
        if unreachable {
            continue;
        }
        if stack.status.is_review() {
            if let Err(e) = api.delete_stack(region, name).await {
                problems.push(format!(
                    "removing the empty new stack {name} in {region}: {e}"
                ));
            }
        }
    }
    problems
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Unchanged,
    NoChanges,
    Created,
    Updated,
    Replaced,
    /// Existing resources were brought under the stack and updated to the baseline.
    Adopted,
    Failed(StackFailure),
    /// Not attempted because a stack it depends on failed.
    Skipped(String),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Unchanged => "unchanged",
            Outcome::NoChanges => "no changes",
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Replaced => "replaced",
            Outcome::Adopted => "adopted",
            Outcome::Failed(_) => "FAILED",
            Outcome::Skipped(_) => "skipped",
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_) | Outcome::Skipped(_))
    }
}

#[derive(Clone, Debug)]
pub struct Report {
    pub job: Job,
    pub outcome: Outcome,
    pub duration: Duration,
    /// Whether termination protection could be turned on (None: not attempted).
    pub protected: Option<Result<(), String>>,
}

/// Executes the pending change sets in waves (alerts, cloudtrail, the rest), concurrently
/// within a wave, following each stack's events until it settles. A failed stack stops the
/// stacks that depend on it.
pub async fn execute<A: StackApi>(
    api: Arc<A>,
    prepared: Vec<PreparedStack>,
    options: Options,
    tx: Tx,
) -> Vec<Report> {
    let mut by_wave: BTreeMap<u32, Vec<(usize, PreparedStack)>> = BTreeMap::new();
    for (i, p) in prepared.into_iter().enumerate() {
        by_wave.entry(p.job.order).or_default().push((i, p));
    }
    let mut failed: HashSet<String> = HashSet::new();
    let mut reports: Vec<(usize, Report)> = Vec::new();
    let mut per_region: std::collections::HashMap<String, Arc<Semaphore>> = Default::default();
    for (_, wave) in by_wave {
        let mut set = JoinSet::new();
        for (i, p) in wave {
            if let Some(dep) = p.job.depends_on.iter().find(|d| failed.contains(*d)) {
                let outcome = match &p.state {
                    Prepared::Unchanged => Outcome::Unchanged,
                    Prepared::NoChanges => Outcome::NoChanges,
                    _ => Outcome::Skipped(format!("{dep} failed")),
                };
                if outcome.is_failure() {
                    failed.insert(p.job.key.clone());
                }
                reports.push((
                    i,
                    Report {
                        job: p.job,
                        outcome,
                        duration: Duration::ZERO,
                        protected: None,
                    },
                ));
                continue;
            }
            let own = per_region
                .entry(p.job.region.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(options.limits.per_target)))
                .clone();
            let (api, tx, options) = (api.clone(), tx.clone(), options.clone());
            set.spawn(async move {
                let _own = own.acquire_owned().await.expect("semaphore");
                let _run_wide = options.limits.acquire().await;
                (i, execute_one(api.as_ref(), p, &options, &tx).await)
            });
        }
        while let Some(done) = set.join_next().await {
            let (i, report) = done.expect("execute task");
            if report.outcome.is_failure() {
                failed.insert(report.job.key.clone());
            }
            reports.push((i, report));
        }
    }
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}

async fn execute_one<A: StackApi>(api: &A, p: PreparedStack, options: &Options, tx: &Tx) -> Report {
    let started = Instant::now();
    let job = p.job;
    let finish = |job: Job, outcome: Outcome, protected| Report {
        job,
        outcome,
        duration: started.elapsed(),
        protected,
    };
    let (mut change_set_id, mut kind, replaced) = match p.state {
        Prepared::Unchanged => return finish(job, Outcome::Unchanged, None),
        Prepared::NoChanges => return finish(job, Outcome::NoChanges, None),
        Prepared::Failed(reason) => return finish(job, Outcome::Failed(reason), None),
        Prepared::Pending {
            change_set_id,
            kind,
            replaced,
            ..
        } => (change_set_id, kind, replaced),
    };
    // An import brings what exists under the stack; the update that follows brings it to
    // the baseline, prepared once the import is done.
    let mut adopted = false;
    let outcome = loop {
        let outcome = execute_round(api, &job, &change_set_id, kind, replaced, options, tx).await;
        if kind != ChangeSetKind::Import || outcome.is_failure() {
            break outcome;
        }
        adopted = true;
        status(tx, &job.key, "adopted; updating it to the baseline");
        // The import is done: what is left is the update (the stack now holds what was
        // imported, and its deployed template is the import's).
        let update = Job {
            adoption: None,
            deployed: None,
            ..job.clone()
        };
        match prepare_one(api, &update, options, tx, None).await {
            Prepared::Pending {
                change_set_id: id,
                kind: next,
                ..
            } => {
                change_set_id = id;
                kind = next;
            }
            Prepared::Unchanged | Prepared::NoChanges => break Outcome::Adopted,
            Prepared::Failed(f) => break Outcome::Failed(f),
        }
    };
    let outcome = if adopted && !outcome.is_failure() {
        Outcome::Adopted
    } else {
        outcome
    };
    // A change set never executed keeps its stack as it was.
    if options.tracker.standing(&job.key).phase != Phase::ChangeSetReady {
        options.tracker.phase(
            &job.key,
            match &outcome {
                Outcome::Failed(StackFailure {
                    kind: FailureKind::Api { error, .. },
                    ..
                }) if error.is_unreachable() => Phase::Unknown,
                o if o.is_failure() => Phase::Failed,
                _ => Phase::Complete,
            },
        );
    }
    let protected = if outcome.is_failure() {
        None
    } else {
        Some(
            api.set_termination_protection(&job.region, &job.stack_name, true)
                .await
                .map_err(|e| e.to_string()),
        )
    };
    finish(job, outcome, protected)
}

/// Executes one change set and follows the stack until it settles.
async fn execute_round<A: StackApi>(
    api: &A,
    job: &Job,
    change_set_id: &str,
    kind: ChangeSetKind,
    replaced: bool,
    options: &Options,
    tx: &Tx,
) -> Outcome {
    let started = Instant::now();
    let (region, name) = (job.region.clone(), job.stack_name.clone());
    let fail = |kind: FailureKind| Outcome::Failed(StackFailure::new(job, kind));
    // Events that existed before this execution are not reported again.
    let mut seen: HashSet<String> = api
        .stack_events(&region, &name)
        .await
        .map(|events| events.into_iter().map(|e| e.event_id).collect())
        .unwrap_or_default();
    status(
        tx,
        &job.key,
        if kind == ChangeSetKind::Import {
            "executing the import change set"
        } else {
            "executing change set"
        },
    );
    let change_set = change_set_name_for(job, kind, options);
    options.tracker.phase(&job.key, Phase::Executing);
    if let Err(e) = patiently(|| api.execute_change_set(&region, &name, change_set_id)).await {
        if matches!(e, ApiError::NotSent(_)) {
            // Never sent: the change set waits, unexecuted.
            options.tracker.phase(&job.key, Phase::ChangeSetReady);
        }
        return fail(FailureKind::Api {
            doing: "executing the change set of",
            error: e,
        });
    }
    options
        .tracker
        .change_set(&job.key, &change_set, Fate::Executed);
    let mut backoff = Backoff::new();
    let mut failures: Vec<String> = Vec::new();
    let final_status = loop {
        if let Ok(mut events) = api.stack_events(&region, &name).await {
            events.reverse(); // oldest first
            for event in events {
                if seen.insert(event.event_id.clone()) {
                    if event.status.is_failed() {
                        failures.push(format!(
                            "{} ({}): {}",
                            event.logical_id,
                            event.resource_type,
                            event
                                .reason
                                .clone()
                                .unwrap_or_else(|| event.status.to_string())
                        ));
                    }
                    let _ = tx.send(Progress::Event {
                        key: job.key.clone(),
                        event,
                    });
                }
            }
        }
        match api.describe_stack(&region, &name).await {
            Ok(Some(s)) if !s.status.is_in_progress() && !s.status.is_review() => break Ok(s),
            Ok(None) => break Err(FailureKind::Disappeared),
            Ok(Some(_)) | Err(ApiError::Throttled(_)) => {}
            Err(error) => {
                break Err(FailureKind::Api {
                    doing: "following",
                    error,
                })
            }
        }
        if started.elapsed() > options.timeout {
            break Err(FailureKind::Timeout {
                what: "the deployment",
                after: options.timeout,
            });
        }
        backoff.wait().await;
    };
    match final_status {
        Ok(s) if s.status == StackStatus::ImportComplete && kind == ChangeSetKind::Import => {
            Outcome::Adopted
        }
        Ok(s) if s.status == StackStatus::CreateComplete && replaced => Outcome::Replaced,
        Ok(s) if s.status == StackStatus::CreateComplete && kind == ChangeSetKind::Create => {
            Outcome::Created
        }
        Ok(s) if s.status == StackStatus::UpdateComplete => Outcome::Updated,
        Ok(s) => fail(FailureKind::Ended {
            status: s.status,
            reason: s.status_reason,
            failures,
        }),
        Err(kind) => fail(kind),
    }
}

/// The name of the change set this tool makes of `kind` for a job.
fn change_set_name_for(job: &Job, kind: ChangeSetKind, options: &Options) -> String {
    if kind == ChangeSetKind::Import {
        fanout::import_change_set_name(&job.sha256)
    } else if options.revert_drift {
        fanout::revert_change_set_name(&job.sha256)
    } else {
        fanout::change_set_name(&job.sha256)
    }
}
