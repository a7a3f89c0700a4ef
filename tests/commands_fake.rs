//! The plan, deploy and drift commands run in-process, end to end, over an in-memory
//! CloudFormation that keeps stacks, change sets, events and the password policy the way the
//! service does, on paused time. They check what a user meets: the exit code, the output, and
//! what was left behind. (The SDK flows themselves are covered against the emulator.)

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use cfn_baseline::aws::*;
use cfn_baseline::baseline::{self, Baseline, Source};
use cfn_baseline::cli::{DiffArgs, DiffFormat, DriftArgs, DriftScope, FailOn};
use cfn_baseline::commands::{self, DeployRun, ExitStatus, Group};
use cfn_baseline::deploy::Options;
use cfn_baseline::output::{Captured, Printer, Verbosity};
use cfn_baseline::render::{render_all, RenderedStack, Renderer};
use cfn_baseline::settings::{
    AccountPasswordPolicy, ControlAssociation, ControlUpdate, LiveControls, Setting,
};
use cfn_baseline::template::Template;
use serde_json::Value as Json;

#[derive(Clone, Debug)]
struct Stack {
    status: StackStatus,
    body: String,
    tags: Vec<(String, String)>,
    events: Vec<StackEvent>,
}

#[derive(Clone, Debug)]
struct ChangeSet {
    stack: String,
    name: String,
    body: String,
    tags: Vec<(String, String)>,
    kind: ChangeSetKind,
    revert_drift: bool,
    changes: Vec<ResourceChange>,
}

/// A drifted property: its path, the value deployed and the value live.
type Drifted = (String, String, String);
/// (region, standard ARN, control).
type Association = (String, String, String);

/// One account's CloudFormation and IAM password policy (one region is enough here: every
/// call names its region and the stacks' names differ).
#[derive(Default)]
struct Cloud {
    stacks: Mutex<BTreeMap<String, Stack>>,
    change_sets: Mutex<BTreeMap<String, ChangeSet>>,
    policy: Mutex<Option<AccountPasswordPolicy>>,
    /// Stacks whose next execution fails on this resource, with this reason.
    fail: Mutex<BTreeMap<String, (String, String)>>,
    /// (stack, logical id) -> (property path, expected, actual): drift the "live" side has.
    drifted: Mutex<BTreeMap<(String, String), Drifted>>,
    /// Every call, in order.
    calls: Mutex<Vec<String>>,
    next: Mutex<u32>,
    /// What the services hold outside CloudFormation, per region, for discovery.
    found: Mutex<BTreeMap<String, Found>>,
    config_role: Mutex<bool>,
    /// Every IMPORT change set fails with this reason.
    refuse_import: Mutex<Option<String>>,
    /// The account's enabled regions (`None`: the 17 enabled by default).
    enabled: Mutex<Option<Vec<String>>>,
    /// Security Hub's control associations that are not as they start (enabled):
    /// (region, standard ARN, control) -> (disabled, reason).
    controls: Mutex<BTreeMap<Association, (bool, Option<String>)>>,
    /// The settings without a type of their own: `region/name` -> properties.
    settings: Mutex<BTreeMap<String, Json>>,
}

/// The fake's key for a stack: `region/name`.
fn at(region: &str, name: &str) -> String {
    format!("{region}/{name}")
}

fn resources(body: &str) -> BTreeMap<String, Json> {
    Template::parse(body)
        .expect("a template")
        .value
        .get("Resources")
        .and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

impl Cloud {
    fn call(&self, what: String) {
        self.calls.lock().unwrap().push(what);
    }

    fn id(&self) -> u32 {
        let mut next = self.next.lock().unwrap();
        *next += 1;
        *next
    }

    /// The names of its stacks, every region.
    fn stack_names(&self) -> Vec<String> {
        self.stacks
            .lock()
            .unwrap()
            .keys()
            .filter_map(|k| k.split_once('/').map(|(_, name)| name.to_string()))
            .collect()
    }

    fn calls_like(&self, prefix: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.starts_with(prefix))
            .count()
    }

    /// The status of a stack in us-east-1.
    fn status_of(&self, stack: &str) -> Option<StackStatus> {
        self.stacks
            .lock()
            .unwrap()
            .get(&at("us-east-1", stack))
            .map(|s| s.status.clone())
    }
}

impl StackApi for Cloud {
    async fn describe_stack(&self, region: &str, name: &str) -> ApiResult<Option<StackState>> {
        self.call(format!("describe_stack {name}"));
        Ok(self
            .stacks
            .lock()
            .unwrap()
            .get(&at(region, name))
            .map(|s| StackState {
                stack_id: format!("arn:stack/{name}"),
                status: s.status.clone(),
                status_reason: None,
                tags: s.tags.clone(),
            }))
    }

    async fn get_template(&self, region: &str, name: &str) -> ApiResult<String> {
        self.call(format!("get_template {name}"));
        self.stacks
            .lock()
            .unwrap()
            .get(&at(region, name))
            .map(|s| s.body.clone())
            .ok_or_else(|| ApiError::NotFound(format!("Stack with id {name} does not exist")))
    }

    async fn create_change_set(&self, r: &ChangeSetRequest) -> ApiResult<String> {
        self.call(format!("create_change_set {}", r.stack_name));
        let mut stacks = self.stacks.lock().unwrap();
        // An import into a deployed stack: as in AWS, the template must hold every resource
        // the stack holds, unchanged, and add only the resources it imports.
        if let Some(held) = stacks
            .get(&at(&r.region, &r.stack_name))
            .filter(|s| r.kind == ChangeSetKind::Import && s.status.is_deployed())
            .map(|s| resources(&s.body))
        {
            let wanted = resources(&r.template_body);
            let changed: Vec<&String> = held
                .iter()
                .filter(|(id, res)| wanted.get(*id) != Some(res))
                .map(|(id, _)| id)
                .collect();
            if !changed.is_empty() {
                return Err(ApiError::Api {
                    code: "ValidationError".into(),
                    message: format!(
                        "You have modified resources {changed:?} in your template that are not being imported. Update, create or delete operations cannot be executed during import operations."
                    ),
                });
            }
            let added: Vec<&String> = wanted
                .keys()
                .filter(|id| !held.contains_key(*id))
                .filter(|id| !r.resources_to_import.iter().any(|t| t.logical_id == **id))
                .collect();
            if !added.is_empty() {
                return Err(ApiError::Api {
                    code: "ValidationError".into(),
                    message: format!("Resources {added:?} is missing from ResourceToImport list"),
                });
            }
        }
        let old = match r.kind {
            ChangeSetKind::Import
                if stacks
                    .get(&at(&r.region, &r.stack_name))
                    .is_some_and(|s| s.status.is_deployed()) =>
            {
                resources(&stacks[&at(&r.region, &r.stack_name)].body)
            }
            ChangeSetKind::Create | ChangeSetKind::Import => {
                if stacks.contains_key(&at(&r.region, &r.stack_name)) {
                    return Err(ApiError::Api {
                        code: "AlreadyExistsException".into(),
                        message: format!("Stack [{}] already exists", r.stack_name),
                    });
                }
                stacks.insert(
                    at(&r.region, &r.stack_name),
                    Stack {
                        status: StackStatus::ReviewInProgress,
                        body: String::new(),
                        tags: vec![],
                        events: vec![],
                    },
                );
                BTreeMap::new()
            }
            ChangeSetKind::Update => resources(&stacks[&at(&r.region, &r.stack_name)].body),
        };
        let new = resources(&r.template_body);
        let mut changes = Vec::new();
        for (id, resource) in &new {
            let action = match old.get(id) {
                None if r.kind == ChangeSetKind::Import => ChangeAction::Import,
                None => ChangeAction::Add,
                Some(o) if o != resource => ChangeAction::Modify,
                Some(_)
                    if r.revert_drift
                        && self
                            .drifted
                            .lock()
                            .unwrap()
                            .contains_key(&(r.stack_name.clone(), id.clone())) =>
                {
                    ChangeAction::SyncWithActual
                }
                Some(_) => continue,
            };
            changes.push(ResourceChange {
                action,
                logical_id: id.clone(),
                resource_type: resource["Type"].as_str().unwrap_or_default().to_string(),
                ..ResourceChange::default()
            });
        }
        for (id, resource) in &old {
            if !new.contains_key(id) {
                changes.push(ResourceChange {
                    action: ChangeAction::Remove,
                    logical_id: id.clone(),
                    resource_type: resource["Type"].as_str().unwrap_or_default().to_string(),
                    ..ResourceChange::default()
                });
            }
        }
        let id = format!("cs-{}", self.id());
        if r.kind == ChangeSetKind::Import {
            self.call(format!(
                "import {}: {}",
                r.stack_name,
                r.resources_to_import
                    .iter()
                    .map(|t| format!("{}={}", t.logical_id, t.identifier))
                    .collect::<Vec<_>>()
                    .join(",")
            ));
            if let Some(reason) = self.refuse_import.lock().unwrap().clone() {
                self.change_sets.lock().unwrap().insert(
                    id.clone(),
                    ChangeSet {
                        stack: at(&r.region, &r.stack_name),
                        name: r.change_set_name.clone(),
                        body: reason,
                        tags: vec![],
                        kind: r.kind,
                        revert_drift: false,
                        changes: vec![],
                    },
                );
                return Ok(id);
            }
        }
        self.change_sets.lock().unwrap().insert(
            id.clone(),
            ChangeSet {
                stack: at(&r.region, &r.stack_name),
                name: r.change_set_name.clone(),
                body: r.template_body.clone(),
                tags: r.tags.clone(),
                kind: r.kind,
                revert_drift: r.revert_drift,
                changes,
            },
        );
        Ok(id)
    }

    async fn describe_change_set(&self, _: &str, _: &str, id: &str) -> ApiResult<ChangeSetState> {
        let sets = self.change_sets.lock().unwrap();
        let cs = sets
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("ChangeSet [{id}] does not exist")))?;
        Ok(
            if cs.kind == ChangeSetKind::Import && cs.changes.is_empty() {
                // Refused: the body holds the reason.
                ChangeSetState {
                    id: id.into(),
                    status: ChangeSetStatus::Failed,
                    status_reason: Some(cs.body.clone()),
                    ..ChangeSetState::default()
                }
            } else if cs.changes.is_empty() {
                ChangeSetState {
                    id: id.into(),
                    status: ChangeSetStatus::Failed,
                    status_reason: Some(
                        "The submitted information didn't contain changes. Submit different \
                     information to create a change set."
                            .into(),
                    ),
                    ..ChangeSetState::default()
                }
            } else {
                ChangeSetState {
                    id: id.into(),
                    status: ChangeSetStatus::CreateComplete,
                    status_reason: None,
                    changes: cs.changes.clone(),
                    revert_drift: cs.revert_drift,
                }
            },
        )
    }

    async fn execute_change_set(&self, _: &str, name: &str, id: &str) -> ApiResult<()> {
        self.call(format!("execute {name}"));
        let cs = self
            .change_sets
            .lock()
            .unwrap()
            .remove(id)
            .ok_or_else(|| ApiError::NotFound(format!("ChangeSet [{id}] does not exist")))?;
        let failure = self.fail.lock().unwrap().remove(name);
        let mut stacks = self.stacks.lock().unwrap();
        let stack = stacks.get_mut(&cs.stack).expect("the change set's stack");
        let n = stack.events.len();
        match failure {
            Some((resource, reason)) => {
                stack.events.push(StackEvent {
                    event_id: format!("{name}-{n}"),
                    timestamp: None,
                    logical_id: resource,
                    resource_type: "AWS::SNS::Topic".into(),
                    status: ResourceStatus::CreateFailed,
                    reason: Some(reason),
                });
                stack.status = match cs.kind {
                    ChangeSetKind::Create => StackStatus::RollbackComplete,
                    ChangeSetKind::Update => StackStatus::UpdateRollbackComplete,
                    ChangeSetKind::Import => StackStatus::ImportRollbackComplete,
                };
            }
            None => {
                stack.events.push(StackEvent {
                    event_id: format!("{name}-{n}"),
                    timestamp: None,
                    logical_id: name.into(),
                    resource_type: "AWS::CloudFormation::Stack".into(),
                    status: ResourceStatus::CreateComplete,
                    reason: None,
                });
                stack.status = match cs.kind {
                    ChangeSetKind::Create => StackStatus::CreateComplete,
                    ChangeSetKind::Update => StackStatus::UpdateComplete,
                    ChangeSetKind::Import => StackStatus::ImportComplete,
                };
                stack.body = cs.body;
                stack.tags = cs.tags;
                if cs.revert_drift {
                    self.drifted.lock().unwrap().retain(|(s, _), _| *s != name);
                }
            }
        }
        Ok(())
    }

    async fn delete_change_set(&self, region: &str, name: &str, id: &str) -> ApiResult<()> {
        let stack = at(region, name);
        self.call(format!("delete_change_set {name}"));
        let mut sets = self.change_sets.lock().unwrap();
        let key = sets
            .iter()
            .find(|(k, cs)| *k == id || (cs.stack == stack && cs.name == id))
            .map(|(k, _)| k.clone());
        match key {
            Some(k) => {
                sets.remove(&k);
                Ok(())
            }
            None => Err(ApiError::NotFound(format!(
                "ChangeSet [{id}] does not exist"
            ))),
        }
    }

    async fn delete_stack(&self, region: &str, name: &str) -> ApiResult<()> {
        self.call(format!("delete_stack {name}"));
        self.stacks.lock().unwrap().remove(&at(region, name));
        Ok(())
    }

    async fn stack_events(&self, region: &str, name: &str) -> ApiResult<Vec<StackEvent>> {
        let stacks = self.stacks.lock().unwrap();
        let mut events = stacks
            .get(&at(region, name))
            .map(|s| s.events.clone())
            .unwrap_or_default();
        events.reverse(); // newest first, as the service pages them
        Ok(events)
    }

    async fn stacks(&self, region: &str) -> ApiResult<Vec<(String, StackState)>> {
        self.call("list_stacks".into());
        let prefix = format!("{region}/");
        Ok(self
            .stacks
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(key, s)| key.strip_prefix(&prefix).map(|name| (name, s)))
            .map(|(name, s)| {
                (
                    name.to_string(),
                    StackState {
                        stack_id: format!("arn:stack/{name}"),
                        status: s.status.clone(),
                        status_reason: None,
                        tags: s.tags.clone(),
                    },
                )
            })
            .collect())
    }

    async fn set_termination_protection(&self, _: &str, _: &str, _: bool) -> ApiResult<()> {
        Ok(())
    }
}

impl DriftApi for Cloud {
    async fn detect_stack_drift(&self, _: &str, name: &str) -> ApiResult<String> {
        Ok(format!("detection-{name}"))
    }

    async fn drift_detection_status(&self, _: &str, _: &str) -> ApiResult<DriftDetection> {
        Ok(DriftDetection {
            status: DetectionStatus::Complete,
            reason: None,
            stack_drift_status: None,
        })
    }

    async fn resource_drifts(&self, region: &str, name: &str) -> ApiResult<Vec<ResourceDrift>> {
        let body = self.get_template(region, name).await?;
        let drifted = self.drifted.lock().unwrap();
        Ok(resources(&body)
            .into_iter()
            .map(|(id, r)| {
                let found = drifted.get(&(name.to_string(), id.clone()));
                ResourceDrift {
                    resource_type: r["Type"].as_str().unwrap_or_default().to_string(),
                    status: if found.is_some() {
                        ResourceDriftStatus::Modified
                    } else {
                        ResourceDriftStatus::InSync
                    },
                    differences: found
                        .map(|(path, expected, actual)| {
                            vec![PropertyDifference {
                                path: path.clone(),
                                expected: Some(expected.clone()),
                                actual: Some(actual.clone()),
                                kind: DifferenceType::NotEqual,
                            }]
                        })
                        .unwrap_or_default(),
                    logical_id: id,
                }
            })
            .collect())
    }
}

impl DiscoveryApi for Cloud {
    async fn discover(&self, region: &str, lookups: &[Lookup]) -> ApiResult<Found> {
        self.call(format!("discover {region}"));
        let mut found = self
            .found
            .lock()
            .unwrap()
            .get(region)
            .cloned()
            .unwrap_or_default();
        // Only what was asked for is reported.
        found.named.retain(|l, _| lookups.contains(l));
        Ok(found)
    }

    async fn service_linked_role_exists(&self, _: &str) -> ApiResult<bool> {
        Ok(*self.config_role.lock().unwrap())
    }

    async fn enabled_regions(&self) -> ApiResult<Vec<String>> {
        Ok(self.enabled.lock().unwrap().clone().unwrap_or_else(|| {
            baseline::regions::DEFAULT_ENABLED_REGIONS
                .iter()
                .map(|r| r.to_string())
                .collect()
        }))
    }
}

/// Security Hub is on in a region once its stack exists; every control is in every standard,
/// enabled until changed.
impl ControlsApi for Cloud {
    async fn controls(
        &self,
        region: &str,
        standards: &[String],
        controls: &[String],
    ) -> ApiResult<LiveControls> {
        self.call(format!("controls {region}"));
        let hub = self.stacks.lock().unwrap().iter().any(|(k, st)| {
            k.starts_with(&format!("{region}/"))
                && k.ends_with("-securityhub")
                && st.status.is_deployed()
        });
        if !hub {
            return Ok(LiveControls::default());
        }
        let state = self.controls.lock().unwrap();
        let mut asked: BTreeSet<String> = controls.iter().cloned().collect();
        for ((r, _, c), (_, reason)) in state.iter() {
            if r == region
                && reason
                    .as_deref()
                    .is_some_and(|r| r.starts_with("cfn-baseline ["))
            {
                asked.insert(c.clone());
            }
        }
        let mut associations = Vec::new();
        for c in &asked {
            for std in standards {
                let (disabled, reason) = state
                    .get(&(region.to_string(), std.clone(), c.clone()))
                    .cloned()
                    .unwrap_or((false, None));
                associations.push(ControlAssociation {
                    standards_arn: std.clone(),
                    control: c.clone(),
                    disabled,
                    reason,
                });
            }
        }
        Ok(LiveControls {
            hub_enabled: true,
            associations,
        })
    }

    async fn update_controls(
        &self,
        region: &str,
        updates: &[ControlUpdate],
    ) -> ApiResult<Vec<ControlUpdate>> {
        self.call(format!("update_controls {region} {}", updates.len()));
        let mut state = self.controls.lock().unwrap();
        for u in updates {
            state.insert(
                (
                    region.to_string(),
                    u.standards_arn.clone(),
                    u.control.clone(),
                ),
                (u.disable, u.reason.clone()),
            );
        }
        Ok(Vec::new())
    }
}

impl SettingsApi for Cloud {
    async fn read_setting(
        &self,
        setting: Setting,
        _account: &str,
        region: &str,
    ) -> ApiResult<Option<Json>> {
        self.call(format!("read_setting {region}/{}", setting.stack_name()));
        if setting == Setting::PasswordPolicy {
            return Ok(self.policy.lock().unwrap().as_ref().map(|p| p.to_json()));
        }
        let key = at(region, setting.stack_name());
        let found = self.settings.lock().unwrap().get(&key).cloned();
        // As Shield answers an account that does not subscribe.
        if setting == Setting::ShieldAdvanced && found.is_none() {
            return Ok(Some(serde_json::json!({"Subscription": "INACTIVE"})));
        }
        Ok(found)
    }

    async fn apply_setting(
        &self,
        setting: Setting,
        _account: &str,
        region: &str,
        p: &Json,
    ) -> ApiResult<()> {
        self.call(format!("apply_setting {region}/{}", setting.stack_name()));
        if setting == Setting::PasswordPolicy {
            *self.policy.lock().unwrap() = Some(serde_json::from_value(p.clone()).unwrap());
            return Ok(());
        }
        // What the baseline does not set stays as it is (Inspector: other scan types).
        let key = at(region, setting.stack_name());
        let mut settings = self.settings.lock().unwrap();
        let entry = settings.entry(key).or_insert_with(|| serde_json::json!({}));
        for (k, v) in p.as_object().into_iter().flatten() {
            entry[k] = v.clone();
        }
        Ok(())
    }
}

struct Run {
    code: u8,
    out: String,
    err: String,
}

fn baseline() -> (Baseline, Vec<RenderedStack>) {
    baseline_from(baseline::DEFAULT_BASELINE)
}

fn baseline_from(text: &str) -> (Baseline, Vec<RenderedStack>) {
    let (baseline, _) = baseline::load(Source {
        name: "baseline.yaml".into(),
        text: text.into(),
    })
    .expect("the baseline loads");
    let stacks = render_all(&baseline, &Renderer::new(None).unwrap()).unwrap();
    (baseline, stacks)
}

/// The exit status main gives a command's result: 130 for a stop by Ctrl-C.
fn code(result: anyhow::Result<ExitStatus>, err: &mut Printer) -> u8 {
    match result {
        Ok(status) => status.code(),
        Err(e) => {
            err.error(&format!("{e:#}"));
            if cfn_baseline::interrupt::is_interrupted(&e) {
                cfn_baseline::interrupt::EXIT_CODE
            } else {
                ExitStatus::Error.code()
            }
        }
    }
}

/// `plan` (or `deploy --yes`) of the default baseline into `cloud`, as main runs it.
async fn plan_or_deploy(cloud: &std::sync::Arc<Cloud>, execute: bool) -> Run {
    plan_with(
        cloud,
        execute,
        baseline::DEFAULT_BASELINE,
        DiffFormat::Text,
        false,
    )
    .await
}

async fn plan_with(
    cloud: &std::sync::Arc<Cloud>,
    execute: bool,
    text: &str,
    format: DiffFormat,
    compact: bool,
) -> Run {
    let run = DeployRun {
        format,
        compact,
        ..yes_run(execute, false)
    };
    run_with(cloud, text, run, None).await
}

/// `plan` (`execute` false) or `deploy --yes`, as main resolves them.
fn yes_run(execute: bool, allow_weakening: bool) -> DeployRun {
    DeployRun {
        execute,
        resume: "cfn-baseline deploy --yes".into(),
        yes: true,
        allow_weakening,
        options: Options::default(),
        format: DiffFormat::Text,
        compact: false,
    }
}

/// `--yes` deploy of `text`, with `--allow-weakening` or without.
async fn deploy_with(cloud: &std::sync::Arc<Cloud>, text: &str, allow_weakening: bool) -> Run {
    run_with(cloud, text, yes_run(true, allow_weakening), None).await
}

/// A writer that stands in for the user pressing Ctrl-C (the signal counted by
/// `interrupt`) when the run writes `at` to it: a point in the run chosen by what it says.
#[derive(Clone)]
struct CtrlCWhen {
    inner: Captured,
    at: &'static str,
}

impl std::io::Write for CtrlCWhen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if String::from_utf8_lossy(buf).contains(self.at) {
            cfn_baseline::interrupt::record();
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Runs plan or deploy as main does; with `ctrl_c_at`, Ctrl-C is pressed when the run
/// writes that text (to stdout or stderr), with a count of Ctrl-C of the run's own.
async fn run_with(
    cloud: &std::sync::Arc<Cloud>,
    text: &str,
    run: DeployRun,
    ctrl_c_at: Option<&'static str>,
) -> Run {
    let (baseline, stacks) = baseline_from(text);
    let group = Group::of(&baseline, &stacks, "111111111111", cloud.clone());
    let (out, err) = (Captured::default(), Captured::default());
    let mut printer = match ctrl_c_at {
        Some(at) => Printer::to_writers(
            CtrlCWhen {
                inner: out.clone(),
                at,
            },
            CtrlCWhen {
                inner: err.clone(),
                at,
            },
            Verbosity::Normal,
        ),
        None => Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal),
    };
    let result = cfn_baseline::interrupt::scoped(commands::plan_or_deploy(
        &mut printer,
        &run,
        &baseline,
        &[group],
        &["111111111111 (test)".into()],
    ))
    .await;
    let code = code(result, &mut printer);
    Run {
        code,
        out: out.text(),
        err: err.text(),
    }
}

async fn drift(cloud: &std::sync::Arc<Cloud>, reapply: bool) -> Run {
    drift_with(cloud, reapply, baseline::DEFAULT_BASELINE).await
}

async fn drift_with(cloud: &std::sync::Arc<Cloud>, reapply: bool, text: &str) -> Run {
    drift_run(cloud, (reapply, false), text).await
}

/// `drift`, with `(--reapply --yes, --allow-weakening)`.
async fn drift_run(
    cloud: &std::sync::Arc<Cloud>,
    (reapply, allow_weakening): (bool, bool),
    text: &str,
) -> Run {
    let (baseline, stacks) = baseline_from(text);
    let group = Group::of(&baseline, &stacks, "111111111111", cloud.clone());
    let (out, err) = (Captured::default(), Captured::default());
    let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
    let args = DriftArgs {
        baseline: None,
        reapply,
        yes: reapply,
        allow_weakening,
        format: DiffFormat::Text,
        scope: DriftScope::All,
        concurrency: 4,
        max_in_flight: 64,
    };
    let result = commands::check_drift(
        &args,
        &mut printer,
        &baseline,
        "baseline.yaml",
        &[group],
        &["111111111111 (test)".into()],
    )
    .await;
    let code = code(result, &mut printer);
    Run {
        code,
        out: out.text(),
        err: err.text(),
    }
}

const STACKS: [&str; 7] = [
    "baseline-access-analyzer",
    "baseline-alerts",
    "baseline-cloudtrail",
    "baseline-config",
    "baseline-guardduty",
    "baseline-patching",
    "baseline-securityhub",
];

#[tokio::test(start_paused = true)]
async fn plan_of_an_empty_account_lists_every_stack_and_leaves_nothing_behind() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let run = plan_or_deploy(&cloud, false).await;
    assert_eq!(
        run.code, 2,
        "plan found differences\n{}{}",
        run.out, run.err
    );
    for stack in STACKS {
        assert!(
            run.out
                .contains(&format!("current/us-east-1/{stack}  create, ")),
            "{stack} in:\n{}",
            run.out
        );
    }
    assert!(run
        .out
        .contains("current/global/iam-password-policy  set (there is none)"));
    assert!(run.err.contains("nothing was changed"), "{}", run.err);
    // Change sets and the empty new-stack shells are gone; nothing executed, no policy set.
    assert!(cloud.stacks.lock().unwrap().is_empty());
    assert!(cloud.change_sets.lock().unwrap().is_empty());
    assert_eq!(cloud.calls_like("execute"), 0);
    assert!(cloud.policy.lock().unwrap().is_none());
}

#[tokio::test(start_paused = true)]
async fn deploy_creates_everything_then_a_second_run_changes_nothing() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let run = plan_or_deploy(&cloud, true).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    for stack in STACKS {
        assert_eq!(
            cloud.status_of(stack),
            Some(StackStatus::CreateComplete),
            "{stack}"
        );
        assert!(run.out.contains(&format!("current/us-east-1/{stack}")));
    }
    assert!(
        cloud.policy.lock().unwrap().is_some(),
        "the password policy was set"
    );
    assert!(run.err.contains("IAM password policy set"), "{}", run.err);

    assert_eq!(cloud.calls_like("create_change_set"), STACKS.len());
    cloud.calls.lock().unwrap().clear();
    let again = plan_or_deploy(&cloud, true).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
    assert_eq!(
        cloud.calls_like("create_change_set"),
        0,
        "unchanged stacks get no change set"
    );
    assert!(
        again.err.contains("everything is up to date"),
        "{}",
        again.err
    );
    // The budget of a run that changes nothing: one listing per region, one GetTemplate per
    // stack, the password policy, Security Hub's controls and the account settings per
    // region; no DescribeStacks per stack.
    let calls = cloud.calls.lock().unwrap().clone();
    assert_eq!(cloud.calls_like("list_stacks"), 1, "{calls:?}");
    assert_eq!(cloud.calls_like("get_template"), STACKS.len(), "{calls:?}");
    assert_eq!(cloud.calls_like("describe_stack"), 0, "{calls:?}");
    assert_eq!(
        cloud.calls_like("read_setting global/iam-password-policy"),
        1,
        "{calls:?}"
    );
    assert_eq!(cloud.calls_like("controls"), 1, "{calls:?}");
    // The settings: the password policy, Shield Advanced, the S3 account block, and five
    // account settings per region.
    assert_eq!(cloud.calls_like("read_setting"), 8, "{calls:?}");
    assert_eq!(calls.len(), STACKS.len() + 10, "{calls:?}");
    let plan = plan_or_deploy(&cloud, false).await;
    assert_eq!(plan.code, 0, "{}{}", plan.out, plan.err);
}

#[tokio::test(start_paused = true)]
async fn a_failed_stack_fails_the_run_skips_its_dependents_and_keeps_the_policy() {
    let cloud = std::sync::Arc::new(Cloud::default());
    cloud.fail.lock().unwrap().insert(
        "baseline-alerts".into(),
        ("AlertsTopic".into(), "AccessDenied: sns:CreateTopic".into()),
    );
    let run = plan_or_deploy(&cloud, true).await;
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    assert!(
        run.err
            .contains("baseline-alerts in us-east-1 ended in ROLLBACK_COMPLETE")
            && run
                .err
                .contains("AlertsTopic (AWS::SNS::Topic): AccessDenied: sns:CreateTopic"),
        "{}",
        run.err
    );
    assert!(
        run.err.contains(
            "of 7 stack(s), 1 failed, 4 not started because a stack they depend on failed"
        ),
        "{}",
        run.err
    );
    // Every other stack but the patch scan and the analyzer (which need nothing) depends on
    // the alert topic,
    // so none was executed, and the change sets made for them were deleted rather than left
    // for someone to execute by hand.
    assert_eq!(cloud.calls_like("execute"), 3);
    assert_eq!(
        cloud.status_of("baseline-patching"),
        Some(StackStatus::CreateComplete)
    );
    assert!(cloud.change_sets.lock().unwrap().is_empty());
    // The stop report: every stack's state and change set, and the command that resumes.
    assert!(
        run.err
            .contains("Where each stack stands (2 complete, 1 failed, "),
        "{}",
        run.err
    );
    let row = |key: &str| {
        run.err
            .lines()
            .find(|l| l.starts_with(key) && l.contains(" cfn-baseline-"))
            .unwrap_or_else(|| panic!("no row for {key}:\n{}", run.err))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(row("current/us-east-1/baseline-alerts ").contains("failed cfn-baseline-"));
    assert!(row("current/us-east-1/baseline-alerts ").ends_with(" executed"));
    let cloudtrail = row("current/us-east-1/baseline-cloudtrail ");
    assert!(
        cloudtrail.contains("not started cfn-baseline-") && cloudtrail.ends_with(" deleted"),
        "{cloudtrail}"
    );
    assert!(
        run.err.contains(
            "To resume, run the same command again (complete and unchanged stacks are skipped"
        ) && run.err.contains("\n  cfn-baseline deploy --yes\n"),
        "{}",
        run.err
    );
    assert!(cloud.policy.lock().unwrap().is_none());
    assert!(
        run.err.contains(
            "(IAM password policy, Security Hub controls, account settings) were not changed because a stack failed"
        ),
        "{}",
        run.err
    );
    // No Rust debug output reaches the user.
    assert!(
        !run.err.contains("{ ") && !run.out.contains("{ "),
        "{}",
        run.err
    );

    // The stack whose first create failed needs --replace-failed: plan says so.
    let plan = plan_or_deploy(&cloud, false).await;
    assert_eq!(plan.code, 1);
    assert!(
        plan.out.contains("rerun with --replace-failed"),
        "{}",
        plan.out
    );
}

#[tokio::test(start_paused = true)]
async fn drift_reports_a_weakened_detector_and_reapply_reverts_it() {
    let cloud = std::sync::Arc::new(Cloud::default());
    assert_eq!(plan_or_deploy(&cloud, true).await.code, 0);

    let clean = drift(&cloud, false).await;
    assert_eq!(clean.code, 0, "{}{}", clean.out, clean.err);

    cloud.drifted.lock().unwrap().insert(
        ("baseline-guardduty".into(), "Detector".into()),
        ("/Enable".into(), "true".into(), "false".into()),
    );
    let found = drift(&cloud, false).await;
    assert_eq!(found.code, 2, "drift found\n{}{}", found.out, found.err);
    assert!(
        found.out.contains("Detector") && found.out.contains("weaken"),
        "{}",
        found.out
    );
    assert_eq!(
        cloud.calls_like("execute"),
        STACKS.len(),
        "detection changes nothing"
    );

    let reverted = drift(&cloud, true).await;
    assert_eq!(
        reverted.code, 2,
        "reverted, still reported\n{}{}",
        reverted.out, reverted.err
    );
    assert!(
        reverted.out.contains("drift-aware change set"),
        "{}",
        reverted.out
    );
    assert_eq!(cloud.calls_like("execute baseline-guardduty"), 2);
    assert!(cloud.drifted.lock().unwrap().is_empty());
    assert_eq!(drift(&cloud, false).await.code, 0);
}

/// A setting made stricter by hand than the baseline has is drift too, but reverting it
/// weakens what is live: `drift --reapply --yes` does not, unless --allow-weakening.
#[tokio::test(start_paused = true)]
async fn reapply_does_not_undo_a_stricter_setting_unasked() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let hourly = baseline::DEFAULT_BASELINE.replace(
        "  finding_frequency: FIFTEEN_MINUTES",
        "  finding_frequency: ONE_HOUR",
    );
    assert_ne!(hourly, baseline::DEFAULT_BASELINE);
    let deployed = plan_with(&cloud, true, &hourly, DiffFormat::Text, false).await;
    assert_eq!(deployed.code, 0, "{}{}", deployed.out, deployed.err);
    cloud.drifted.lock().unwrap().insert(
        ("baseline-guardduty".into(), "Detector".into()),
        (
            "/FindingPublishingFrequency".into(),
            "\"ONE_HOUR\"".into(),
            "\"FIFTEEN_MINUTES\"".into(),
        ),
    );
    let executed = cloud.calls_like("execute baseline-guardduty");

    let refused = drift_run(&cloud, (true, false), &hourly).await;
    assert_eq!(refused.code, 3, "{}{}", refused.out, refused.err);
    assert!(
        refused
            .err
            .contains("drift --reapply --yes executes no plan that weakens security unasked")
            && refused.err.contains(
                "current/us-east-1/baseline-guardduty: Detector.Properties.FindingPublishingFrequency"
            )
            && refused
                .err
                .contains("made stricter by hand than the baseline; the revert undoes it"),
        "{}",
        refused.err
    );
    assert_eq!(
        cloud.calls_like("execute baseline-guardduty"),
        executed,
        "nothing reverted"
    );

    let reverted = drift_run(&cloud, (true, true), &hourly).await;
    assert_eq!(reverted.code, 2, "{}{}", reverted.out, reverted.err);
    assert_eq!(cloud.calls_like("execute baseline-guardduty"), executed + 1);
}

#[tokio::test(start_paused = true)]
async fn a_weakening_update_is_called_out_in_every_plan_format() {
    let cloud = std::sync::Arc::new(Cloud::default());
    assert_eq!(plan_or_deploy(&cloud, true).await.code, 0);
    let weaker =
        baseline::DEFAULT_BASELINE.replace("    s3_data_events: true", "    s3_data_events: false");
    assert_ne!(weaker, baseline::DEFAULT_BASELINE);

    let text = plan_with(&cloud, false, &weaker, DiffFormat::Text, false).await;
    assert_eq!(text.code, 2, "{}{}", text.out, text.err);
    assert!(
        text.out.contains(
            "~ current/us-east-1/baseline-guardduty  update, 1 resource change(s)  !! 1 WEAKENING"
        ),
        "{}",
        text.out
    );
    assert!(
        text.out.contains("    ! weakens: Detector."),
        "{}",
        text.out
    );
    let summary = text.out.lines().last().unwrap();
    assert_eq!(
        summary,
        "Plan: 0 to create, 1 to update, 6 unchanged, 0 left in place · resources: 0 to add, 1 to modify, 0 to remove, 0 to replace · 1 weakening change"
    );

    let compact = plan_with(&cloud, false, &weaker, DiffFormat::Text, true).await;
    assert_eq!(
        compact
            .out
            .lines()
            .filter(|l| l.starts_with("    "))
            .count(),
        0
    );
    assert_eq!(compact.out.lines().last(), Some(summary));

    let json = plan_with(&cloud, false, &weaker, DiffFormat::Json, false).await;
    let doc: Json = serde_json::from_str(&json.out).expect("stdout is only the JSON document");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["kind"], "plan");
    assert_eq!(doc["summary"]["update"], 1);
    assert_eq!(doc["summary"]["weakening"], 1);
    let guardduty = doc["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "current/us-east-1/baseline-guardduty")
        .unwrap();
    assert_eq!(guardduty["action"], "update");
    assert_eq!(guardduty["weakening"][0]["impact"], "weakening");
    // Every key it prints is named in docs/reference/json.md (its changes as in diff's).
    let mut documented = support::documented_json_keys("plan (and deploy's plan)");
    documented.extend(support::documented_json_keys("diff and drift"));
    let undocumented: Vec<String> = support::json_keys(&doc)
        .difference(&documented)
        .cloned()
        .collect();
    assert!(
        undocumented.is_empty(),
        "plan keys not in docs/reference/json.md: {undocumented:?}"
    );

    let markdown = plan_with(&cloud, false, &weaker, DiffFormat::Markdown, false).await;
    assert!(
        markdown
            .out
            .starts_with("### cfn-baseline plan: `baseline`"),
        "{}",
        markdown.out
    );
    assert!(
        markdown.out.contains(
            "#### ⚠️ Weakening changes\n\n- `baseline-guardduty` (current, us-east-1): Detector."
        ),
        "{}",
        markdown.out
    );
    assert!(
        markdown
            .out
            .contains("| `baseline-guardduty` | current, us-east-1 | update | 0 | 1 | 0 | 0 | 1 |"),
        "{}",
        markdown.out
    );
    assert!(markdown.out.len() < 65_536);
    // Planning changed nothing.
    assert_eq!(cloud.calls_like("execute"), STACKS.len());
}

/// `deploy --yes` never switches protection off unasked: a plan with a weakening change
/// stops before any change (exit 3), listing it; `--allow-weakening` applies it.
#[tokio::test(start_paused = true)]
async fn deploy_yes_applies_no_weakening_change_without_allow_weakening() {
    let cloud = std::sync::Arc::new(Cloud::default());
    assert_eq!(plan_or_deploy(&cloud, true).await.code, 0);
    let executed = cloud.calls_like("execute");
    let weaker =
        baseline::DEFAULT_BASELINE.replace("    s3_data_events: true", "    s3_data_events: false");

    let refused = deploy_with(&cloud, &weaker, false).await;
    assert_eq!(refused.code, 3, "{}{}", refused.out, refused.err);
    assert!(
        refused.err.contains(
            "deploy --yes executes no plan that weakens security unasked; this one has 1 weakening change(s):\n  ! current/us-east-1/baseline-guardduty: Detector."
        ),
        "{}",
        refused.err
    );
    assert!(
        refused.err.contains("run again with --allow-weakening"),
        "{}",
        refused.err
    );
    assert_eq!(cloud.calls_like("execute"), executed, "nothing executed");
    assert!(
        cloud.change_sets.lock().unwrap().is_empty(),
        "its change sets deleted"
    );

    let allowed = deploy_with(&cloud, &weaker, true).await;
    assert_eq!(allowed.code, 0, "{}{}", allowed.out, allowed.err);
    assert_eq!(cloud.calls_like("execute"), executed + 1);
    // A plan that weakens nothing needs no flag.
    let stronger = deploy_with(&cloud, baseline::DEFAULT_BASELINE, false).await;
    assert_eq!(stronger.code, 0, "{}{}", stronger.out, stronger.err);
    assert_eq!(cloud.calls_like("execute"), executed + 2);
}

/// Ctrl-C in any window before the first change stops the run with exit 130 and executes
/// nothing, even where no code was waiting for it (after the plan is printed, the settings
/// having been read, was the lost window).
#[tokio::test(start_paused = true)]
async fn ctrl_c_before_the_first_change_executes_nothing_and_exits_130() {
    for (window, at) in [
        ("while preparing change sets", "Deploying 7 stacks"),
        ("after the plan, before executing", "Plan: 7 to create"),
    ] {
        let cloud = std::sync::Arc::new(Cloud::default());
        let run = yes_run(true, false);
        let stopped = run_with(&cloud, baseline::DEFAULT_BASELINE, run, Some(at)).await;
        assert_eq!(
            stopped.code, 130,
            "{window}: {}{}",
            stopped.out, stopped.err
        );
        assert!(
            stopped.err.contains("interrupted"),
            "{window}: {}",
            stopped.err
        );
        assert!(
            stopped.err.contains("nothing was changed"),
            "{window}: {}",
            stopped.err
        );
        assert_eq!(cloud.calls_like("execute"), 0, "{window}: nothing executed");
        assert!(
            cloud.change_sets.lock().unwrap().is_empty(),
            "{window}: change sets deleted"
        );
        assert!(
            cloud.policy.lock().unwrap().is_none(),
            "{window}: no setting applied"
        );
    }
    // The count was the runs' own: a run after them goes ahead.
    assert!(!cfn_baseline::interrupt::happened());
    let cloud = std::sync::Arc::new(Cloud::default());
    assert_eq!(plan_or_deploy(&cloud, true).await.code, 0);
}

/// The same plan in several accounts and regions reads as one entry, in markdown and JSON.
#[tokio::test(start_paused = true)]
async fn an_estate_plan_groups_the_same_change_across_accounts_and_regions() {
    let ids = ["111111111111", "222222222222", "333333333333"];
    let with = |text: &str| {
        text.replace("regions: [us-east-1]", "regions: [us-east-1, eu-west-1]")
            + "\naccounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n"
    };
    let clouds: Vec<std::sync::Arc<Cloud>> = ids
        .iter()
        .map(|_| std::sync::Arc::new(Cloud::default()))
        .collect();
    let run = |text: String, execute: bool, format: DiffFormat| {
        let clouds = clouds.clone();
        async move {
            let (baseline, stacks) = baseline_from(&text);
            let groups: Vec<Group<Cloud>> = ids
                .iter()
                .zip(&clouds)
                .map(|(id, c)| Group::of(&baseline, &stacks, id, c.clone()))
                .collect();
            let (out, err) = (Captured::default(), Captured::default());
            let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
            let run = DeployRun {
                execute,
                resume: "cfn-baseline deploy --yes".into(),
                yes: true,
                allow_weakening: false,
                options: Options::default(),
                format,
                compact: false,
            };
            let result =
                commands::plan_or_deploy(&mut printer, &run, &baseline, &groups, &[]).await;
            (code(result, &mut printer), out.text(), err.text())
        }
    };
    let (code, out, err) = run(with(baseline::DEFAULT_BASELINE), true, DiffFormat::Text).await;
    assert_eq!(code, 0, "{out}{err}");
    let weaker = with(baseline::DEFAULT_BASELINE)
        .replace("    s3_data_events: true", "    s3_data_events: false");
    let (code, markdown, err) = run(weaker.clone(), false, DiffFormat::Markdown).await;
    assert_eq!(code, 2, "{markdown}{err}");
    assert!(
        markdown.contains(
            "| `baseline-guardduty` | all 6 stacks: every account, every region | update | 0 | 1 | 0 | 0 | 1 |"
        ),
        "{markdown}"
    );
    assert_eq!(
        markdown
            .matches("Detector.Properties.Features[S3_DATA_EVENTS]")
            .count(),
        1,
        "{markdown}"
    );
    let (_, json, _) = run(weaker, false, DiffFormat::Json).await;
    let doc: Json = serde_json::from_str(&json).unwrap();
    let guardduty: Vec<&Json> = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["stack_name"] == "baseline-guardduty")
        .collect();
    assert_eq!(guardduty.len(), 1);
    assert_eq!(guardduty[0]["stacks"].as_array().unwrap().len(), 6);
    // Every stack is still there one by one.
    // 3 accounts: the trail, and 6 stacks in each of 2 regions.
    assert_eq!(doc["stacks"].as_array().unwrap().len(), 3 * (1 + 2 * 6));
}

/// `diff` (live) of `text`'s render against `cloud`, as main runs it.
async fn live_diff(cloud: &std::sync::Arc<Cloud>, text: &str, fail_on: FailOn) -> Run {
    let (baseline, stacks) = baseline_from(text);
    let group = Group::of(&baseline, &stacks, "111111111111", cloud.clone());
    let (out, err) = (Captured::default(), Captured::default());
    let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
    let args = DiffArgs {
        baseline: None,
        against: None,
        format: DiffFormat::Text,
        fail_on,
        concurrency: 4,
        max_in_flight: 64,
    };
    let result = commands::compare_live(
        &args,
        &mut printer,
        &baseline,
        &[group],
        &["111111111111 (test)".into()],
        commands::render_side(&baseline, &stacks),
        "baseline.yaml",
    )
    .await
    .map(|report| {
        printer.result(&cfn_baseline::diff::text(&report, false));
        commands::exit_status(report.verdict(), args.fail_on)
    });
    let code = code(result, &mut printer);
    Run {
        code,
        out: out.text(),
        err: err.text(),
    }
}

#[tokio::test(start_paused = true)]
async fn live_diff_is_silent_after_deploy_and_fails_a_weakening_change() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let before = live_diff(&cloud, baseline::DEFAULT_BASELINE, FailOn::Weakening).await;
    assert_eq!(
        before.code, 0,
        "only additions: not weakening\n{}",
        before.out
    );
    assert!(before.out.contains("added"), "{}", before.out);

    assert_eq!(plan_or_deploy(&cloud, true).await.code, 0);
    cloud.calls.lock().unwrap().clear();
    let same = live_diff(&cloud, baseline::DEFAULT_BASELINE, FailOn::Any).await;
    assert_eq!(same.code, 0, "{}{}", same.out, same.err);
    // One listing per region and a GetTemplate per stack; nothing else on the stacks.
    assert_eq!(cloud.calls_like("list_stacks"), 1);
    assert_eq!(cloud.calls_like("get_template"), STACKS.len());
    assert_eq!(cloud.calls_like("describe_stack"), 0);

    let weaker =
        baseline::DEFAULT_BASELINE.replace("    s3_data_events: true", "    s3_data_events: false");
    let weak = live_diff(&cloud, &weaker, FailOn::Weakening).await;
    assert_eq!(weak.code, 3, "{}{}", weak.out, weak.err);
    assert!(weak.out.contains("S3_DATA_EVENTS"), "{}", weak.out);

    // A stack of the baseline that the render no longer has shows as removed.
    let no_config =
        baseline::DEFAULT_BASELINE.replace("config:\n  enabled: true", "config:\n  enabled: false");
    assert_ne!(no_config, baseline::DEFAULT_BASELINE);
    let removed = live_diff(&cloud, &no_config, FailOn::Any).await;
    assert_eq!(
        removed.code, 3,
        "removing Config weakens\n{}{}",
        removed.out, removed.err
    );
    assert!(removed.out.contains("baseline-config"), "{}", removed.out);
}

/// A stack whose first create was rolled back, or whose delete did not finish, is listed
/// but holds nothing to count on: live diff compares it as not deployed and says its state,
/// never "No differences" because its template matches.
#[tokio::test(start_paused = true)]
async fn live_diff_never_counts_a_failed_create_or_delete_as_deployed() {
    for (status, words) in [
        (
            StackStatus::RollbackComplete,
            "is ROLLBACK_COMPLETE: its first create failed",
        ),
        (
            StackStatus::DeleteFailed,
            "is DELETE_FAILED: a delete did not finish",
        ),
    ] {
        let cloud = std::sync::Arc::new(Cloud::default());
        assert_eq!(plan_or_deploy(&cloud, true).await.code, 0);
        cloud
            .stacks
            .lock()
            .unwrap()
            .get_mut(&at("us-east-1", "baseline-guardduty"))
            .unwrap()
            .status = status.clone();
        let run = live_diff(&cloud, baseline::DEFAULT_BASELINE, FailOn::Any).await;
        assert_eq!(run.code, 2, "{status:?}: {}{}", run.out, run.err);
        assert!(
            run.out
                .contains(&format!("current/us-east-1/baseline-guardduty {words}")),
            "{status:?}: {}",
            run.out
        );
        assert!(
            run.out.contains("baseline-guardduty") && run.out.contains("added"),
            "{status:?}: {}",
            run.out
        );
    }
}

#[test]
fn the_fake_keeps_distinct_change_sets() {
    // A guard on the fake itself: ids are unique, so a test cannot pass by confusing two.
    let cloud = Cloud::default();
    let ids: BTreeSet<u32> = (0..10).map(|_| cloud.id()).collect();
    assert_eq!(ids.len(), 10);
}

/// Discovery, then plan (or deploy), as `plan` and `deploy` run them.
async fn adopt_then(cloud: &std::sync::Arc<Cloud>, execute: bool, text: &str) -> Run {
    adopt_then_with(cloud, execute, text, Options::default()).await
}

async fn adopt_then_with(
    cloud: &std::sync::Arc<Cloud>,
    execute: bool,
    text: &str,
    options: Options,
) -> Run {
    let (baseline, stacks) = baseline_from(text);
    let mut groups = vec![Group::of(&baseline, &stacks, "111111111111", cloud.clone())];
    let (out, err) = (Captured::default(), Captured::default());
    let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
    let run = DeployRun {
        resume: "cfn-baseline deploy --yes".into(),
        execute,
        yes: true,
        allow_weakening: false,
        options,
        format: DiffFormat::Text,
        compact: false,
    };
    let renderer = Renderer::new(None).unwrap();
    if let Err(e) = commands::resolve_regions(&mut groups, &baseline, &renderer, &mut printer).await
    {
        let code = code(Err(e), &mut printer);
        return Run {
            code,
            out: out.text(),
            err: err.text(),
        };
    }
    let result =
        match commands::adopt_existing(&mut groups, &baseline, &run.options.limits, &mut printer)
            .await
        {
            Ok(refusals) if !refusals.is_empty() => {
                commands::stop_if_refused(&refusals).map(|()| ExitStatus::Success)
            }
            Ok(_) => {
                commands::plan_or_deploy(
                    &mut printer,
                    &run,
                    &baseline,
                    &groups,
                    &["111111111111 (test)".into()],
                )
                .await
            }
            Err(e) => Err(e),
        };
    let code = code(result, &mut printer);
    Run {
        code,
        out: out.text(),
        err: err.text(),
    }
}

/// An account as most real ones are: a detector with two protection plans off, Security Hub
/// on, a recorder named `default`, the Config service-linked role, and the archive bucket an
/// earlier failed create left behind.
fn lived_in_account() -> std::sync::Arc<Cloud> {
    let cloud = std::sync::Arc::new(Cloud::default());
    let (_, stacks) = baseline();
    let trail = stacks
        .iter()
        .find(|s| s.spec.stack_name == "baseline-cloudtrail")
        .unwrap();
    let place = cfn_baseline::adopt::Place {
        account_id: "111111111111",
        region: "us-east-1",
        partition: "aws",
    };
    let (_, archive) = cfn_baseline::adopt::lookups(&trail.template.value, &place)
        .into_iter()
        .find(|(id, _)| id == "ArchiveBucket")
        .unwrap();
    let name = archive.name.clone();
    let found = Found {
        // The analyzer the IAM console creates when someone first opens Access Analyzer.
        analyzers: vec![FoundAnalyzer {
            name: "ConsoleAnalyzer-0a1b".into(),
            arn: "arn:aws:access-analyzer:us-east-1:111111111111:analyzer/ConsoleAnalyzer-0a1b"
                .into(),
            kind: "ACCOUNT".into(),
        }],
        detector: Some(FoundDetector {
            id: "d-0123".into(),
            finding_frequency: Some("SIX_HOURS".into()),
            features: vec![
                ("S3_DATA_EVENTS".into(), "DISABLED".into(), vec![]),
                ("EKS_AUDIT_LOGS".into(), "ENABLED".into(), vec![]),
                ("RDS_LOGIN_EVENTS".into(), "DISABLED".into(), vec![]),
            ],
            administrator: None,
        }),
        hub: Some(FoundHub {
            arn: "arn:aws:securityhub:us-east-1:111111111111:hub/default".into(),
            standards: None,
            administrator: None,
        }),
        recorders: vec![FoundRecorder {
            name: "default".into(),
            role_arn: None,
        }],
        delivery_channels: vec!["default".into()],
        macie: None,
        graph: None,
        organization_trails: Vec::new(),
        standards_offered: None,
        alias_targets: Default::default(),
        named: [(archive, name)].into(),
    };
    cloud
        .found
        .lock()
        .unwrap()
        .insert("us-east-1".into(), found);
    *cloud.config_role.lock().unwrap() = true;
    cloud
}

#[tokio::test(start_paused = true)]
async fn an_account_that_already_has_the_services_is_adopted_then_unchanged() {
    let cloud = lived_in_account();
    let plan = adopt_then(&cloud, false, baseline::DEFAULT_BASELINE).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    for expected in [
        "< current/us-east-1/baseline-guardduty  adopt what exists, then update it to the baseline",
        "    · adopt detector d-0123",
        "    < Import Detector (AWS::GuardDuty::Detector)",
        "    · adopt hub arn:aws:securityhub:us-east-1:111111111111:hub/default",
        "    · AWSServiceRoleForConfig exists: not created",
        "    · adopt AWS::S3::Bucket `",
        "    · take over recorder `default` by its name",
        "    · adopt analyzer `ConsoleAnalyzer-0a1b` (ACCOUNT)",
        " to adopt,",
    ] {
        assert!(
            plan.out.contains(expected),
            "{expected:?} in:\n{}",
            plan.out
        );
    }
    // The detector's missing protection plans show as strengthened, with the diff rules.
    let s3 = plan
        .out
        .lines()
        .find(|l| l.contains("S3_DATA_EVENTS"))
        .unwrap_or_else(|| panic!("{}", plan.out));
    assert!(
        s3.contains("\"DISABLED\" → \"ENABLED\" (strengthening"),
        "{s3}"
    );
    assert!(
        cloud.change_sets.lock().unwrap().is_empty(),
        "plan leaves nothing"
    );

    let deploy = adopt_then(&cloud, true, baseline::DEFAULT_BASELINE).await;
    assert_eq!(deploy.code, 0, "{}{}", deploy.out, deploy.err);
    let calls = cloud.calls.lock().unwrap().clone();
    let imports: Vec<&String> = calls.iter().filter(|c| c.starts_with("import ")).collect();
    assert!(
        imports
            .iter()
            .any(|c| *c == "import baseline-guardduty: Detector=d-0123"),
        "{imports:?}"
    );
    assert!(
        imports
            .iter()
            .any(|c| c.starts_with("import baseline-securityhub: Hub=arn:aws:securityhub:")),
        "{imports:?}"
    );
    assert!(
        imports
            .iter()
            .any(|c| c.starts_with("import baseline-cloudtrail: ArchiveBucket=")),
        "{imports:?}"
    );
    assert!(
        imports.iter().any(|c| *c
            == "import baseline-access-analyzer: Analyzer=arn:aws:access-analyzer:us-east-1:111111111111:analyzer/ConsoleAnalyzer-0a1b"),
        "{imports:?}"
    );
    // The analyzer keeps the name it had: a new name would replace it, and a region holds one.
    assert!(
        cloud.stacks.lock().unwrap()["us-east-1/baseline-access-analyzer"]
            .body
            .contains("ConsoleAnalyzer-0a1b"),
    );
    assert!(deploy.out.contains("adopted"), "{}", deploy.out);
    // The service-linked role is not in the deployed trail stack; the recorder keeps its name.
    let stacks = cloud.stacks.lock().unwrap().clone();
    let trail = &stacks["us-east-1/baseline-cloudtrail"];
    assert!(!trail.body.contains("ServiceLinkedRole"));
    assert_eq!(
        trail.status,
        StackStatus::UpdateComplete,
        "imported, then updated"
    );
    let detector = resources(&stacks["us-east-1/baseline-guardduty"].body);
    assert!(
        detector.contains_key("Detector"),
        "the full template after the import"
    );

    let before = cloud.calls_like("get_template");
    let again = adopt_then(&cloud, false, baseline::DEFAULT_BASELINE).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
    assert!(!again.out.contains("adopt"), "{}", again.out);
    // Discovery reads each deployed template once, and plan uses what it read.
    assert_eq!(cloud.calls_like("get_template") - before, STACKS.len());
}

/// The baseline is deployed; since, someone enabled NIST 800-53 in the Security Hub console,
/// and the baseline now asks for it. Creating the standard would fail (already enabled), so it
/// is imported into the deployed stack, whose template the import keeps as it is (the fake
/// refuses an import that changes or adds anything else, as AWS does).
#[tokio::test(start_paused = true)]
async fn a_standard_enabled_outside_a_deployed_stack_is_imported_into_it() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let first = adopt_then(&cloud, true, baseline::DEFAULT_BASELINE).await;
    assert_eq!(first.code, 0, "{}{}", first.out, first.err);
    let deployed = cloud.stacks.lock().unwrap()["us-east-1/baseline-securityhub"]
        .body
        .clone();
    let nist = "arn:aws:securityhub:us-east-1::standards/nist-800-53/v/5.0.0";
    let subscription =
        "arn:aws:securityhub:us-east-1:111111111111:subscription/nist-800-53/v/5.0.0";
    cloud.found.lock().unwrap().insert(
        "us-east-1".into(),
        Found {
            hub: Some(FoundHub {
                arn: "arn:aws:securityhub:us-east-1:111111111111:hub/default".into(),
                standards: Some(vec![(nist.into(), subscription.into())]),
                administrator: None,
            }),
            ..Found::default()
        },
    );
    let text = baseline::DEFAULT_BASELINE.replace(
        "    - cis-aws-foundations-benchmark-v5\n",
        "    - cis-aws-foundations-benchmark-v5\n    - nist-800-53-v5\n",
    );
    assert_ne!(text, baseline::DEFAULT_BASELINE);

    let plan = adopt_then(&cloud, false, &text).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    for expected in [
        "< current/us-east-1/baseline-securityhub  adopt what exists, then update it to the baseline",
        &format!("    · adopt standard {nist}"),
        " to adopt,",
    ] {
        assert!(plan.out.contains(expected), "{expected:?} in:\n{}", plan.out);
    }
    assert!(
        cloud.change_sets.lock().unwrap().is_empty(),
        "plan leaves nothing"
    );

    let deploy = adopt_then(&cloud, true, &text).await;
    assert_eq!(deploy.code, 0, "{}{}", deploy.out, deploy.err);
    let calls = cloud.calls.lock().unwrap().clone();
    let import = calls
        .iter()
        .find(|c| c.starts_with("import baseline-securityhub: "))
        .unwrap_or_else(|| panic!("{calls:?}"));
    assert!(import.ends_with(&format!("={subscription}")), "{import}");
    let stack = cloud.stacks.lock().unwrap()["us-east-1/baseline-securityhub"].clone();
    assert_eq!(
        stack.status,
        StackStatus::UpdateComplete,
        "imported, then updated"
    );
    let held = resources(&stack.body);
    for (id, resource) in resources(&deployed) {
        assert!(held.contains_key(&id), "{id} kept");
        let _ = resource;
    }
    assert_eq!(
        held.len(),
        resources(&deployed).len() + 1,
        "one standard more"
    );

    let again = adopt_then(&cloud, false, &text).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
    assert!(!again.out.contains("adopt"), "{}", again.out);
}

#[tokio::test(start_paused = true)]
async fn a_refused_import_stops_the_plan_with_the_reason() {
    let cloud = lived_in_account();
    *cloud.refuse_import.lock().unwrap() =
        Some("Resource type AWS::GuardDuty::Detector with identifier d-0123 does not exist".into());
    let plan = adopt_then(&cloud, true, baseline::DEFAULT_BASELINE).await;
    assert_eq!(plan.code, 1, "{}{}", plan.out, plan.err);
    assert!(
        plan.out.contains("with identifier d-0123 does not exist"),
        "{}",
        plan.out
    );
    assert_eq!(cloud.calls_like("execute"), 0, "nothing executed");
}

#[tokio::test(start_paused = true)]
async fn a_detector_an_administrator_manages_is_left_to_it() {
    let cloud = lived_in_account();
    cloud
        .found
        .lock()
        .unwrap()
        .get_mut("us-east-1")
        .unwrap()
        .detector
        .as_mut()
        .unwrap()
        .administrator = Some("999999999999".into());
    let deploy = adopt_then(&cloud, true, baseline::DEFAULT_BASELINE).await;
    assert_eq!(deploy.code, 0, "{}{}", deploy.out, deploy.err);
    assert!(
        deploy.err.contains(
            "current/us-east-1/baseline-guardduty: nothing left to deploy (detector d-0123 is managed by administrator account 999999999999"
        ),
        "{}",
        deploy.err
    );
    let calls = cloud.calls.lock().unwrap().clone();
    assert!(
        !calls.iter().any(|c| c.contains("baseline-guardduty")),
        "the detector's stack is never touched: {calls:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn existing_fail_stops_before_any_change_and_says_what_is_where() {
    let cloud = lived_in_account();
    let text = baseline::DEFAULT_BASELINE.replace(
        "guardduty:\n  enabled: true\n",
        "guardduty:\n  enabled: true\n  existing: fail\n",
    );
    assert_ne!(text, baseline::DEFAULT_BASELINE);
    let plan = adopt_then(&cloud, true, &text).await;
    assert_eq!(plan.code, 1, "{}{}", plan.out, plan.err);
    assert!(
        plan.err.contains(
            "current/us-east-1/baseline-guardduty: a GuardDuty detector (d-0123) already exists in us-east-1"
        ),
        "{}",
        plan.err
    );
    assert!(plan.err.contains("nothing was changed"), "{}", plan.err);
    assert_eq!(cloud.calls_like("create_change_set"), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failed_first_create_is_replaced_and_its_leftover_bucket_adopted() {
    let cloud = lived_in_account();
    // The trail stack's first create failed: ROLLBACK_COMPLETE, its retained archive bucket
    // (found by discovery) now outside it.
    let (_, stacks) = baseline();
    let trail = stacks
        .iter()
        .find(|s| s.spec.stack_name == "baseline-cloudtrail")
        .unwrap();
    cloud.stacks.lock().unwrap().insert(
        "us-east-1/baseline-cloudtrail".into(),
        Stack {
            status: StackStatus::RollbackComplete,
            body: trail.body.to_string(),
            tags: vec![],
            events: vec![],
        },
    );
    let plain = adopt_then(&cloud, true, baseline::DEFAULT_BASELINE).await;
    assert_eq!(plain.code, 1, "{}{}", plain.out, plain.err);
    assert!(
        plain.out.contains("rerun with --replace-failed"),
        "{}",
        plain.out
    );

    let replace = Options {
        replace_failed: true,
        ..Options::default()
    };
    let run = adopt_then_with(&cloud, true, baseline::DEFAULT_BASELINE, replace).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    let calls = cloud.calls.lock().unwrap().clone();
    let deleted = calls
        .iter()
        .position(|c| c == "delete_stack baseline-cloudtrail")
        .unwrap_or_else(|| panic!("{calls:?}"));
    let imported = calls
        .iter()
        .position(|c| c.starts_with("import baseline-cloudtrail: ArchiveBucket="))
        .unwrap_or_else(|| panic!("{calls:?}"));
    assert!(deleted < imported, "{calls:?}");
}

#[tokio::test(start_paused = true)]
async fn regions_all_targets_each_accounts_enabled_regions_and_lists_the_rest() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let mut enabled: Vec<String> = baseline::regions::DEFAULT_ENABLED_REGIONS
        .iter()
        .map(|r| r.to_string())
        .collect();
    enabled.push("af-south-1".into());
    *cloud.enabled.lock().unwrap() = Some(enabled);
    let text = "version: 1\nname: baseline\nhome_region: eu-west-1\nregions: all\n\
                alerts: {email: [security@example.com]}\n";
    let plan = adopt_then(&cloud, false, text).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    assert!(
        plan.err
            .contains("account current: regions: all → 18 enabled region(s); not enabled there, skipped: ap-east-1, ap-east-2,"),
        "{}",
        plan.err
    );
    for stack in [
        "current/af-south-1/baseline-guardduty",
        "current/us-west-2/baseline-config",
        "current/eu-west-1/baseline-cloudtrail",
    ] {
        assert!(plan.out.contains(stack), "{stack} in:\n{}", plan.out);
    }
    assert!(!plan.out.contains("/ap-east-1/"), "{}", plan.out);
    // Six stacks in each of 18 regions, and the trail in the home region.
    assert!(plan.out.contains("Plan: 109 to create,"), "{}", plan.out);
}

#[tokio::test(start_paused = true)]
async fn regions_all_names_the_regions_a_component_is_left_out_of() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let mut enabled: Vec<String> = baseline::regions::DEFAULT_ENABLED_REGIONS
        .iter()
        .map(|r| r.to_string())
        .collect();
    enabled.push("ap-southeast-5".into());
    *cloud.enabled.lock().unwrap() = Some(enabled);
    let text = "version: 1\nname: baseline\nhome_region: eu-west-1\nregions: all\n\
                alerts: {email: [security@example.com]}\ndetective: {enabled: true}\n";
    let plan = adopt_then(&cloud, false, text).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    // Validation could not name them: the regions were known only once the account said.
    assert!(
        plan.err.contains(
            "account current: Detective (AWS::Detective::Graph) is not offered in ap-northeast-3, ap-southeast-5: left out there"
        ),
        "{}",
        plan.err
    );
    assert!(!plan.err.contains("Macie"), "{}", plan.err);
    assert!(
        plan.out.contains("current/eu-west-1/baseline-detective"),
        "{}",
        plan.out
    );
    assert!(
        !plan
            .out
            .contains("current/ap-southeast-5/baseline-detective"),
        "{}",
        plan.out
    );
}

#[tokio::test(start_paused = true)]
async fn a_named_region_not_enabled_stops_the_plan_before_any_change() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let text = "version: 1\nname: baseline\nhome_region: us-east-1\n\
                regions: [us-east-1, ap-east-1]\nalerts: {email: [security@example.com]}\n";
    let plan = adopt_then(&cloud, true, text).await;
    assert_eq!(plan.code, 1, "{}{}", plan.out, plan.err);
    assert!(
        plan.err.contains(
            "account current: ap-east-1 not enabled (named in `regions`); nothing was changed"
        ),
        "{}",
        plan.err
    );
    assert!(
        cloud.calls.lock().unwrap().is_empty(),
        "no call but the region lookup"
    );
}

#[tokio::test(start_paused = true)]
async fn a_recorder_taken_over_by_name_keeps_its_name_on_later_runs() {
    let cloud = lived_in_account();
    {
        let mut found = cloud.found.lock().unwrap();
        let us = found.get_mut("us-east-1").unwrap();
        us.recorders[0].name = "my-recorder".into();
        us.delivery_channels = vec!["my-channel".into()];
    }
    let deploy = adopt_then(&cloud, true, baseline::DEFAULT_BASELINE).await;
    assert_eq!(deploy.code, 0, "{}{}", deploy.out, deploy.err);
    let body = cloud.stacks.lock().unwrap()["us-east-1/baseline-config"]
        .body
        .clone();
    assert!(
        body.contains("\"my-recorder\"") && body.contains("\"my-channel\""),
        "{body}"
    );
    // The stack now holds the recorder; renaming it would replace it, and a region holds one.
    let again = adopt_then(&cloud, false, baseline::DEFAULT_BASELINE).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
    assert!(
        again
            .out
            .contains("= current/us-east-1/baseline-config  unchanged"),
        "{}",
        again.out
    );
}

// Security Hub controls, outside CloudFormation (the emulator has no control API).

const TWO_REGIONS: &str =
    "version: 1\nname: baseline\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
    alerts:\n  email: [security@example.com]\nsecurityhub:\n  disabled_controls:\n    \
    - {control: IAM.6, reason: hardware MFA kept in a safe}\n";

const FSBP_EU: &str =
    "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS_EU: &str =
    "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0";
const FSBP_US: &str =
    "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";

fn control(cloud: &Cloud, region: &str, std: &str, id: &str) -> (bool, Option<String>) {
    cloud
        .controls
        .lock()
        .unwrap()
        .get(&(region.to_string(), std.to_string(), id.to_string()))
        .cloned()
        .unwrap_or((false, None))
}

#[tokio::test(start_paused = true)]
async fn controls_are_disabled_in_every_standard_after_the_stacks_then_left_alone() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let plan = plan_with(&cloud, false, TWO_REGIONS, DiffFormat::Text, false).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            plan.out.contains(&format!("~ current/{region}/securityhub-controls  set once the stack has turned Security Hub on")),
            "{}",
            plan.out
        );
    }
    assert_eq!(
        cloud.calls_like("update_controls"),
        0,
        "plan changes nothing"
    );

    let run = plan_with(&cloud, true, TWO_REGIONS, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    // The named control, in both standards of both regions, with its reason.
    for (region, std) in [
        ("us-east-1", FSBP_US),
        ("eu-west-1", FSBP_EU),
        ("eu-west-1", CIS_EU),
    ] {
        assert_eq!(
            control(&cloud, region, std, "IAM.6"),
            (
                true,
                Some("cfn-baseline [IAM.6]: hardware MFA kept in a safe".into())
            ),
            "{region} {std}"
        );
    }
    // Global-resource controls outside the home region only.
    assert_eq!(
        control(&cloud, "eu-west-1", CIS_EU, "IAM.1"),
        (true, Some("cfn-baseline [IAM.1]: global resources are checked in the home region (us-east-1) only".into()))
    );
    assert!(
        !control(&cloud, "us-east-1", FSBP_US, "IAM.1").0,
        "the home region keeps them"
    );
    assert!(
        run.err.contains("current/us-east-1/securityhub-controls: Security Hub controls: 2 association(s) disabled, 0 enabled again"),
        "{}",
        run.err
    );

    cloud.calls.lock().unwrap().clear();
    let again = plan_with(&cloud, true, TWO_REGIONS, DiffFormat::Text, false).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
    assert_eq!(cloud.calls_like("update_controls"), 0);
    assert!(
        again
            .out
            .contains("= current/eu-west-1/securityhub-controls  unchanged"),
        "{}",
        again.out
    );
    assert!(
        again.err.contains("everything is up to date"),
        "{}",
        again.err
    );

    // Dropping a control from the baseline enables it again, everywhere.
    let without = TWO_REGIONS.replace(
        "  disabled_controls:\n    - {control: IAM.6, reason: hardware MFA kept in a safe}\n",
        "  disabled_controls: []\n",
    );
    let plan = plan_with(&cloud, false, &without, DiffFormat::Text, false).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    assert!(
        plan.out
            .contains("~ current/us-east-1/securityhub-controls  update"),
        "{}",
        plan.out
    );
    let run = plan_with(&cloud, true, &without, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert!(!control(&cloud, "us-east-1", FSBP_US, "IAM.6").0);
    // IAM.6 is a global-resource control: outside the home region it stays off, for that reason.
    assert_eq!(
        control(&cloud, "eu-west-1", FSBP_EU, "IAM.6").1.as_deref(),
        Some("cfn-baseline [IAM.6]: global resources are checked in the home region (us-east-1) only")
    );
}

#[tokio::test(start_paused = true)]
async fn a_control_enabled_by_hand_is_drift_and_reapply_disables_it_again() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let run = plan_with(&cloud, true, TWO_REGIONS, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    let clean = drift_with(&cloud, false, TWO_REGIONS).await;
    assert!(
        clean
            .out
            .contains("= securityhub-controls  2 stacks: 2 in sync"),
        "no drift yet:\n{}",
        clean.out
    );

    cloud.controls.lock().unwrap().insert(
        ("eu-west-1".into(), FSBP_EU.into(), "IAM.6".into()),
        (false, Some("re-enabled for an audit".into())),
    );
    let found = drift_with(&cloud, false, TWO_REGIONS).await;
    assert!(found.code >= 2, "{}{}", found.out, found.err);
    assert!(found.out.contains("securityhub-controls"), "{}", found.out);
    assert!(found.out.contains("IAM.6"), "{}", found.out);

    // Disabling it again weakens what is live: --yes alone does not, exit 3.
    let refused = drift_with(&cloud, true, TWO_REGIONS).await;
    assert_eq!(refused.code, 3, "{}{}", refused.out, refused.err);
    assert!(
        refused.err.contains(
            "drift --reapply --yes executes no plan that weakens security unasked; this one has 1 weakening change(s):\n  ! current/eu-west-1/securityhub-controls: IAM.6"
        ) && refused.err.contains("--allow-weakening"),
        "{}",
        refused.err
    );
    assert!(
        !control(&cloud, "eu-west-1", FSBP_EU, "IAM.6").0,
        "nothing was reverted"
    );

    // With --allow-weakening: reverted (exit 2: drift was found).
    let fixed = drift_run(&cloud, (true, true), TWO_REGIONS).await;
    assert_eq!(fixed.code, 2, "{}{}", fixed.out, fixed.err);
    assert!(
        fixed
            .out
            .contains("~ current/eu-west-1/securityhub-controls  restore"),
        "{}",
        fixed.out
    );
    assert!(fixed.out.contains("IAM.6 disable again"), "{}", fixed.out);
    assert!(
        control(&cloud, "eu-west-1", FSBP_EU, "IAM.6").0,
        "{}",
        fixed.err
    );
}

const WITH_CONTACT: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
alerts: {email: [sec@example.com]}\n\
security_contact: {name: Security team, email: security@example.com, phone: \"+1 206 555 0100\"}\n";

fn contact(cloud: &Cloud) -> Option<Json> {
    cloud
        .settings
        .lock()
        .unwrap()
        .get("global/security-contact")
        .cloned()
}

#[tokio::test(start_paused = true)]
async fn the_security_contact_is_set_after_the_stacks_then_drift_restores_it() {
    let cloud = std::sync::Arc::new(Cloud::default());
    // Plan: shown, nothing set.
    let plan = plan_with(&cloud, false, WITH_CONTACT, DiffFormat::Text, false).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    assert!(
        plan.out.contains("current/global/security-contact"),
        "{}",
        plan.out
    );
    assert_eq!(contact(&cloud), None, "a plan sets nothing");

    // Deploy: set once the stacks are deployed, with the API's field names.
    let run = plan_with(&cloud, true, WITH_CONTACT, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    let set = contact(&cloud).expect("the contact is set");
    assert_eq!(set["AlternateContactType"], "SECURITY");
    assert_eq!(set["EmailAddress"], "security@example.com");
    assert_eq!(set["PhoneNumber"], "+1 206 555 0100");
    assert_eq!(set["Title"], "Security");
    let calls = cloud.calls.lock().unwrap().clone();
    let last_stack = calls
        .iter()
        .rposition(|c| c.starts_with("execute"))
        .expect("stacks executed");
    let applied = calls
        .iter()
        .position(|c| c == "apply_setting global/security-contact")
        .expect("applied");
    assert!(applied > last_stack, "set after the stacks: {calls:?}");

    // A second run changes nothing.
    let again = plan_with(&cloud, false, WITH_CONTACT, DiffFormat::Text, false).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
    let diff = live_diff(&cloud, WITH_CONTACT, FailOn::Weakening).await;
    assert_eq!(diff.code, 0, "{}{}", diff.out, diff.err);

    // Changed by hand: diff shows it, drift reports it and --reapply restores it.
    cloud.settings.lock().unwrap().insert(
        "global/security-contact".into(),
        serde_json::json!({"AlternateContactType": "SECURITY", "Name": "Former CTO",
            "EmailAddress": "cto@example.com", "PhoneNumber": "+1 206 555 0199", "Title": "CTO"}),
    );
    let diff = live_diff(&cloud, WITH_CONTACT, FailOn::Weakening).await;
    assert!(diff.out.contains("security-contact"), "{}", diff.out);
    assert!(diff.out.contains("EmailAddress"), "{}", diff.out);
    let found = drift_with(&cloud, false, WITH_CONTACT).await;
    assert!(found.code >= 2, "{}{}", found.out, found.err);
    assert!(found.out.contains("security-contact"), "{}", found.out);
    let fixed = drift_with(&cloud, true, WITH_CONTACT).await;
    assert!(
        fixed
            .out
            .contains("~ current/global/security-contact  restore"),
        "{}",
        fixed.out
    );
    assert_eq!(
        contact(&cloud).expect("restored")["EmailAddress"],
        "security@example.com",
        "{}",
        fixed.err
    );

    // Removed by hand: a weakening, and reapply sets it again.
    cloud.settings.lock().unwrap().clear();
    let diff = live_diff(&cloud, WITH_CONTACT, FailOn::Weakening).await;
    assert_eq!(diff.code, 0, "adding it back strengthens: {}", diff.out);
    let fixed = drift_with(&cloud, true, WITH_CONTACT).await;
    assert!(
        fixed
            .out
            .contains("~ current/global/security-contact  set (there is none)"),
        "{}",
        fixed.out
    );
    assert!(contact(&cloud).is_some());
}

#[tokio::test(start_paused = true)]
async fn without_a_security_contact_in_the_baseline_it_is_never_read() {
    let cloud = std::sync::Arc::new(Cloud::default());
    let run = plan_or_deploy(&cloud, true).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert_eq!(cloud.calls_like("read_setting global/security-contact"), 0);
    assert_eq!(cloud.calls_like("apply_setting global/security-contact"), 0);
}

const WITH_ACCOUNT_SETTINGS: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
regions: [us-east-1, eu-west-1]\n\
alerts: {email: [sec@example.com]}\n\
account_settings: {ssm_documents_public_sharing_blocked: false}\n\
overrides:\n  - match: {region: eu-west-1}\n    account_settings: {imdsv2_by_default: false}\n";

#[tokio::test(start_paused = true)]
async fn account_settings_are_turned_on_per_region_and_false_leaves_them_alone() {
    let cloud = std::sync::Arc::new(Cloud::default());
    // Someone allowed IMDSv1 in eu-west-1, where the baseline leaves it to them.
    cloud.settings.lock().unwrap().insert(
        "eu-west-1/imdsv2-by-default".into(),
        serde_json::json!({"HttpTokens": "optional"}),
    );
    let plan = plan_with(
        &cloud,
        false,
        WITH_ACCOUNT_SETTINGS,
        DiffFormat::Text,
        false,
    )
    .await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    for shown in [
        "current/global/s3-block-public-access",
        "current/us-east-1/ebs-encryption-by-default",
        "current/eu-west-1/ebs-encryption-by-default",
        "current/us-east-1/imdsv2-by-default",
        "current/eu-west-1/snapshot-block-public-access",
        "current/eu-west-1/ami-block-public-access",
    ] {
        assert!(plan.out.contains(shown), "{shown}\n{}", plan.out);
    }
    // false: neither read nor shown.
    assert!(
        !plan.out.contains("current/eu-west-1/imdsv2-by-default"),
        "{}",
        plan.out
    );
    assert_eq!(
        cloud.calls_like("read_setting eu-west-1/imdsv2-by-default"),
        0
    );
    assert_eq!(
        cloud.calls_like("read_setting us-east-1/ssm-documents-public-sharing"),
        0
    );
    // The account-wide block is read once, not per region.
    assert_eq!(
        cloud.calls_like("read_setting global/s3-block-public-access"),
        1
    );
    assert_eq!(cloud.calls_like("apply_setting"), 0, "a plan sets nothing");

    let run = plan_with(&cloud, true, WITH_ACCOUNT_SETTINGS, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    let settings = cloud.settings.lock().unwrap().clone();
    assert_eq!(
        settings["global/s3-block-public-access"]["RestrictPublicBuckets"],
        true
    );
    assert_eq!(
        settings["us-east-1/imdsv2-by-default"]["HttpTokens"],
        "required"
    );
    assert_eq!(
        settings["eu-west-1/imdsv2-by-default"]["HttpTokens"], "optional",
        "left as it is"
    );
    assert_eq!(
        settings["eu-west-1/snapshot-block-public-access"]["State"],
        "block-all-sharing"
    );
    assert!(!settings.contains_key("us-east-1/ssm-documents-public-sharing"));

    // In sync now: a second plan has nothing to set.
    let again = plan_with(
        &cloud,
        false,
        WITH_ACCOUNT_SETTINGS,
        DiffFormat::Text,
        false,
    )
    .await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
}

const WITH_MACIE_JOBS: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
alerts: {email: [sec@example.com]}\n\
macie:\n  enabled: true\n  jobs:\n    \
- {name: uploads-weekly, buckets: [acme-uploads], schedule: {weekly: monday}}\n";

#[tokio::test(start_paused = true)]
async fn macie_jobs_are_planned_then_kept_and_a_slower_schedule_is_weakening() {
    let cloud = std::sync::Arc::new(Cloud::default());
    // Macie has no job of the baseline's yet.
    cloud.settings.lock().unwrap().insert(
        "us-east-1/macie-jobs".into(),
        serde_json::json!({"Jobs": {}}),
    );
    let plan = plan_with(&cloud, false, WITH_MACIE_JOBS, DiffFormat::Text, false).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    assert!(
        plan.out
            .contains("~ current/us-east-1/macie-jobs  update\n")
            && plan.out.contains("~ Jobs.uploads-weekly: set to"),
        "{}",
        plan.out
    );
    let run = plan_with(&cloud, true, WITH_MACIE_JOBS, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert_eq!(cloud.calls_like("apply_setting us-east-1/macie-jobs"), 1);
    let again = plan_with(&cloud, false, WITH_MACIE_JOBS, DiffFormat::Text, false).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);

    // The job run monthly instead: shown as weakening.
    let monthly = WITH_MACIE_JOBS.replace("{weekly: monday}", "{monthly: 1}");
    let plan = plan_with(&cloud, false, &monthly, DiffFormat::Text, false).await;
    assert!(
        plan.out.contains(
            "~ Jobs.uploads-weekly.Schedule: \"weekly:MONDAY\" → \"monthly:1\" (weakening"
        ),
        "{}",
        plan.out
    );
}

const WITH_SHIELD: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
alerts: {email: [sec@example.com]}\n\
security_contact: {name: Security team, email: security@example.com, phone: '+1 206 555 0100'}\n\
shield:\n  proactive_engagement: true\n  protections:\n    \
- arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188\n";

#[tokio::test(start_paused = true)]
async fn shield_advanced_is_set_where_the_account_subscribes() {
    let cloud = std::sync::Arc::new(Cloud::default());
    // A subscribed account with engagement off and one resource protected by hand.
    cloud.settings.lock().unwrap().insert(
        "global/shield-advanced".into(),
        serde_json::json!({
            "Subscription": "ACTIVE",
            "ProactiveEngagementStatus": "DISABLED",
            "Protections": ["arn:aws:ec2:us-east-1:123456789012:eip-allocation/eipalloc-1"],
        }),
    );
    let plan = plan_with(&cloud, false, WITH_SHIELD, DiffFormat::Text, false).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    for shown in [
        "~ current/global/shield-advanced  update\n    · Shield Advanced: subscribed; proactive engagement disabled, 1 protected resource(s)\n",
        "~ ProactiveEngagementStatus: \"DISABLED\" → \"ENABLED\" (strengthening",
        "~ Protections: [] → [\"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188\"] (strengthening",
        "~ EmergencyContacts: set to",
    ] {
        assert!(plan.out.contains(shown), "{shown}\n{}", plan.out);
    }
    let md = plan_with(&cloud, false, WITH_SHIELD, DiffFormat::Markdown, false).await;
    assert!(
        md.out
            .contains("Notes:\n\n- `current/global/shield-advanced`: Shield Advanced: subscribed;"),
        "{}",
        md.out
    );

    let run = plan_with(&cloud, true, WITH_SHIELD, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert_eq!(cloud.calls_like("apply_setting global/shield-advanced"), 1);
    let again = plan_with(&cloud, false, WITH_SHIELD, DiffFormat::Text, false).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);
}

const WITH_INSPECTOR: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
regions: [us-east-1, eu-west-1]\nalerts: {email: [sec@example.com]}\n\
inspector: {enabled: true}\n\
overrides:\n  - match: {region: eu-west-1}\n    inspector: {scan: [ec2]}\n";

fn inspector(cloud: &Cloud, region: &str) -> Option<Json> {
    cloud
        .settings
        .lock()
        .unwrap()
        .get(&format!("{region}/inspector"))
        .cloned()
}

#[tokio::test(start_paused = true)]
async fn inspector_is_switched_on_per_region_and_never_switched_off() {
    let cloud = std::sync::Arc::new(Cloud::default());
    // Someone already scans Lambda code in eu-west-1, which the baseline does not list there.
    cloud.settings.lock().unwrap().insert(
        "eu-west-1/inspector".into(),
        serde_json::json!({"Ec2": "DISABLED", "Ecr": "DISABLED", "Lambda": "ENABLED", "LambdaCode": "ENABLED"}),
    );
    let plan = plan_with(&cloud, false, WITH_INSPECTOR, DiffFormat::Text, false).await;
    assert_eq!(plan.code, 2, "{}{}", plan.out, plan.err);
    assert!(
        plan.out.contains("current/us-east-1/inspector"),
        "{}",
        plan.out
    );
    assert!(
        plan.out.contains("current/eu-west-1/inspector"),
        "{}",
        plan.out
    );

    let run = plan_with(&cloud, true, WITH_INSPECTOR, DiffFormat::Text, false).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    let us = inspector(&cloud, "us-east-1").expect("enabled in us-east-1");
    assert_eq!(
        us,
        serde_json::json!({"Ec2": "ENABLED", "Ecr": "ENABLED", "Lambda": "ENABLED"})
    );
    let eu = inspector(&cloud, "eu-west-1").unwrap();
    assert_eq!(eu["Ec2"], "ENABLED", "the override's list");
    assert_eq!(eu["Ecr"], "DISABLED", "not listed there: left as it was");
    assert_eq!(eu["LambdaCode"], "ENABLED", "never switched off");

    let again = plan_with(&cloud, false, WITH_INSPECTOR, DiffFormat::Text, false).await;
    assert_eq!(again.code, 0, "{}{}", again.out, again.err);

    // Switched off by hand: a weakening drift, restored.
    cloud
        .settings
        .lock()
        .unwrap()
        .get_mut("us-east-1/inspector")
        .unwrap()["Ecr"] = "DISABLED".into();
    let diff = live_diff(&cloud, WITH_INSPECTOR, FailOn::Weakening).await;
    assert_eq!(
        diff.code, 0,
        "the baseline switches it back on: {}",
        diff.out
    );
    let found = drift_with(&cloud, false, WITH_INSPECTOR).await;
    assert_eq!(found.code, 2, "{}{}", found.out, found.err);
    assert!(
        found
            .out
            .contains("Inspector.Properties.Ecr: ENABLED → DISABLED"),
        "{}",
        found.out
    );
    let fixed = drift_with(&cloud, true, WITH_INSPECTOR).await;
    assert!(
        fixed.out.contains("~ current/us-east-1/inspector  restore"),
        "{}",
        fixed.out
    );
    assert_eq!(inspector(&cloud, "us-east-1").unwrap()["Ecr"], "ENABLED");
}

/// In an organization the accounts are deployed role by role, each role's settings made
/// before the next role's stacks (the management account's delegations before the security
/// account's organization analyzer); a failure in one role stops the roles after it before
/// they start, and their change sets are deleted.
#[tokio::test]
async fn in_an_organization_a_failed_management_account_stops_the_others_before_they_start() {
    let text = "version: 1\nname: org\nhome_region: us-east-1\nalerts: {email: [s@example.com]}\n\
        accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n\
        organization: {management_account: \"111111111111\", security_account: \"222222222222\", \
        log_archive_account: \"333333333333\"}\n";
    let (baseline, stacks) = baseline_from(text);
    // In role order, as connect_groups sorts them: management, log archive, security.
    let accounts = ["111111111111", "333333333333", "222222222222"];
    let deploy = |clouds: &[std::sync::Arc<Cloud>]| {
        let groups: Vec<Group<Cloud>> = accounts
            .iter()
            .zip(clouds)
            .map(|(a, c)| Group::of(&baseline, &stacks, a, c.clone()))
            .collect();
        let baseline = &baseline;
        async move {
            let (out, err) = (Captured::default(), Captured::default());
            let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
            let run = DeployRun {
                execute: true,
                resume: "cfn-baseline deploy --yes".into(),
                yes: true,
                allow_weakening: false,
                options: Options::default(),
                format: DiffFormat::Text,
                compact: false,
            };
            let result = commands::plan_or_deploy(&mut printer, &run, baseline, &groups, &[]).await;
            let code = code(result, &mut printer);
            Run {
                code,
                out: out.text(),
                err: err.text(),
            }
        }
    };

    // All well: the management account's delegations come before the security account's
    // first stack.
    let clouds: Vec<std::sync::Arc<Cloud>> = (0..3).map(|_| Default::default()).collect();
    let run = deploy(&clouds).await;
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    let delegated = run
        .err
        .find("111111111111/global/organization-delegations: ")
        .unwrap_or_else(|| panic!("{}", run.err));
    let security = run
        .err
        .find("222222222222/us-east-1/org-alerts  CREATE")
        .unwrap_or_else(|| panic!("{}", run.err));
    assert!(delegated < security, "{}", run.err);
    // The organization trail and the management account's recorders deliver to the log
    // archive account's bucket: they start once its archive stack is done, and the
    // delegations come before them.
    let at = |line: &str| {
        run.err
            .find(line)
            .unwrap_or_else(|| panic!("{line} not in {}", run.err))
    };
    let archive = at("333333333333/us-east-1/org-cloudtrail  CREATE_COMPLETE");
    let trail = at("111111111111/us-east-1/org-cloudtrail  CREATE");
    let recorder = at("111111111111/us-east-1/org-config  CREATE");
    let detector = at("111111111111/us-east-1/org-guardduty  CREATE");
    assert!(detector < delegated && delegated < archive, "{}", run.err);
    assert!(archive < trail && archive < recorder, "{}", run.err);
    // Only the security account has an alerts stack, and only it and the management and
    // log archive accounts have trail stacks.
    for (cloud, has_alerts, has_trail) in [(0, false, true), (1, false, true), (2, true, false)] {
        let names = clouds[cloud].stack_names();
        assert_eq!(
            names.iter().any(|n| n == "org-alerts"),
            has_alerts,
            "{names:?}"
        );
        assert_eq!(
            names.iter().any(|n| n == "org-cloudtrail"),
            has_trail,
            "{names:?}"
        );
    }

    // The management account's detector fails: nothing starts in the other accounts.
    let clouds: Vec<std::sync::Arc<Cloud>> = (0..3).map(|_| Default::default()).collect();
    clouds[0].fail.lock().unwrap().insert(
        "org-guardduty".into(),
        (
            "Detector".into(),
            "AccessDenied: guardduty:CreateDetector".into(),
        ),
    );
    let run = deploy(&clouds).await;
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    assert!(
        run.err.contains(
            "not started because an account set up before theirs in the organization failed"
        ),
        "{}",
        run.err
    );
    for other in &clouds[1..] {
        assert_eq!(
            other.calls_like("execute"),
            0,
            "{:?}",
            other.calls.lock().unwrap()
        );
        assert!(other.change_sets.lock().unwrap().is_empty());
        assert_eq!(other.calls_like("apply_setting"), 0);
    }
}
