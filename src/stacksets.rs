//! Stack-set mode: the same renders as stack mode, grouped into one stack set per component
//! and distinct template (identity comes only from pseudo parameters, so one template serves
//! every account), then created or updated with instances added for new account x region
//! targets and removed for dropped ones, each operation followed to its end. Never prints.

use std::collections::{BTreeMap, BTreeSet};
use tokio::time::Instant;

use crate::aws::{
    ApiError, Capability, InstanceTargets, OperationPreferences, OperationResult, StackDriftStatus,
    StackSetApi, StackSetContext, StackSetRequest,
};
use crate::baseline::{Baseline, PermissionModel};
use crate::deploy::{capabilities, Options};
use crate::diff::{self, Action, Impact, NotChecked, StackDiff, StackStatus};
use crate::fanout::{patiently, status, Backoff, Tx};
use crate::plan::Component;
use crate::render::RenderedStack;
use serde_json::Value as Json;

/// The role a self-managed stack set is administered with, in the calling account.
pub const ADMINISTRATION_ROLE: &str = "AWSCloudFormationStackSetAdministrationRole";
/// The role it assumes in every target account.
pub const EXECUTION_ROLE: &str = "AWSCloudFormationStackSetExecutionRole";

/// One stack set: a template and the regions it goes to.
#[derive(Clone, Debug)]
pub struct StackSetSpec {
    pub name: String,
    pub component: Component,
    pub order: u32,
    pub body: String,
    pub sha256: String,
    pub capabilities: Vec<Capability>,
    pub regions: Vec<String>,
}

/// Who gets instances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targets {
    pub accounts: Vec<String>,
    pub organizational_units: Vec<String>,
    /// Accounts of the organizational units left out.
    pub excluded_accounts: Vec<String>,
}

impl Targets {
    /// The stack sets' targets. With an organization they are its members only: the
    /// management, log archive and security accounts are deployed as stacks
    /// ([`Baseline::role_part`]), so self-managed targets leave them out and
    /// service-managed ones filter them out of the organizational units.
    pub fn of(baseline: &Baseline) -> Targets {
        let d = &baseline.file.deployment;
        let roles = baseline
            .file
            .organization
            .as_ref()
            .map(|o| o.role_accounts())
            .unwrap_or_default();
        match d.permission_model {
            PermissionModel::ServiceManaged => Targets {
                accounts: vec![],
                organizational_units: d.organizational_units.clone(),
                excluded_accounts: roles,
            },
            PermissionModel::SelfManaged => Targets {
                accounts: if baseline.members_in_stack_sets() {
                    baseline.stack_set_members()
                } else if d.accounts.is_empty() {
                    baseline.account_ids()
                } else {
                    d.accounts.clone()
                },
                organizational_units: vec![],
                excluded_accounts: vec![],
            },
        }
    }

    pub fn service_managed(&self) -> bool {
        !self.organizational_units.is_empty()
    }
}

/// The rendered stacks the stack sets carry: with an organization, the members' (the role
/// accounts are deployed as stacks); otherwise all.
pub fn carried(baseline: &Baseline, stacks: &[RenderedStack]) -> Vec<RenderedStack> {
    stacks
        .iter()
        .filter(|s| {
            !baseline.members_in_stack_sets() || baseline.is_member(s.spec.account.as_deref())
        })
        .cloned()
        .collect()
}

pub fn context(baseline: &Baseline) -> StackSetContext {
    StackSetContext {
        region: baseline.home_region().to_string(),
        call_as: baseline.file.deployment.call_as,
    }
}

pub fn preferences(baseline: &Baseline, regions: &[String]) -> OperationPreferences {
    let d = &baseline.file.deployment;
    OperationPreferences {
        max_concurrent_percentage: d.max_concurrent_percentage,
        failure_tolerance_percentage: d.failure_tolerance_percentage,
        region_concurrency: d.region_concurrency,
        region_order: regions.to_vec(),
    }
}

/// Groups the renders into stack sets. Every account must have the same template in a given
/// region (validation keeps overrides off accounts); regions whose templates differ (AWS
/// Config's recorder in the home region) get their own stack set, named after its first
/// region: `<name>-config` (home) and `<name>-config-eu-west-1` (the others).
pub fn group(baseline: &Baseline, stacks: &[RenderedStack]) -> Result<Vec<StackSetSpec>, String> {
    let regions = baseline.regions();
    let mut by_component: BTreeMap<u32, Vec<&RenderedStack>> = BTreeMap::new();
    for s in stacks {
        by_component
            .entry(s.spec.order * 10 + component_index(s.spec.component))
            .or_default()
            .push(s);
    }
    let mut out = Vec::new();
    for group in by_component.values() {
        let first = group[0];
        // region -> the one template every account gets there.
        let mut per_region: BTreeMap<&str, &RenderedStack> = BTreeMap::new();
        for s in group {
            match per_region.get(s.spec.region.as_str()) {
                Some(other) if other.sha256 != s.sha256 => {
                    return Err(format!(
                        "{} differs between accounts {} and {} in {}; a stack set serves every account \
                         with one template (remove account-specific settings)",
                        s.spec.stack_name,
                        other.spec.account_label(),
                        s.spec.account_label(),
                        s.spec.region
                    ))
                }
                Some(_) => {}
                None => {
                    per_region.insert(s.spec.region.as_str(), s);
                }
            }
        }
        // Distinct templates, in the baseline's region order.
        let mut sets: Vec<(String, Vec<String>, &RenderedStack)> = Vec::new();
        for region in &regions {
            let Some(s) = per_region.get(region.as_str()) else {
                continue;
            };
            match sets.iter_mut().find(|(sha, _, _)| *sha == s.sha256) {
                Some((_, rs, _)) => rs.push(region.clone()),
                None => sets.push((s.sha256.clone(), vec![region.clone()], s)),
            }
        }
        let home = baseline.home_region();
        for (sha, set_regions, s) in sets {
            // Named after its first region in alphabetical order, not in the baseline's:
            // reordering `regions` keeps every name (a renamed set would be created anew,
            // colliding with the old one's resources, and the old one retired).
            let name =
                if set_regions.iter().any(|r| r == home) || per_region.len() == set_regions.len() {
                    first.spec.stack_name.clone()
                } else {
                    let first_region = set_regions.iter().min().expect("a set has a region");
                    format!("{}-{first_region}", first.spec.stack_name)
                };
            out.push(StackSetSpec {
                name,
                component: s.spec.component,
                order: s.spec.order,
                body: s.body.to_string(),
                sha256: sha,
                capabilities: capabilities(&s.template.value),
                regions: set_regions,
            });
        }
    }
    Ok(out)
}

fn component_index(c: Component) -> u32 {
    match c {
        Component::Alerts => 0,
        Component::Cloudtrail => 1,
        Component::Config => 2,
        Component::Guardduty => 3,
        Component::Securityhub => 4,
        Component::Patching => 5,
        Component::AccessAnalyzer => 6,
        Component::Waf => 7,
        Component::Macie => 8,
        Component::Detective => 9,
    }
}

/// What deploying a stack set would change.
#[derive(Clone, Debug)]
pub struct SetPlan {
    pub spec: StackSetSpec,
    pub exists: bool,
    pub template_changed: bool,
    /// (account or OU, region) instances to create and to delete.
    pub add: Vec<(String, String)>,
    pub remove: Vec<(String, String)>,
    /// The deployed template, when the stack set exists.
    pub deployed_body: Option<String>,
}

impl SetPlan {
    pub fn changes(&self) -> bool {
        !self.exists || self.template_changed || !self.add.is_empty() || !self.remove.is_empty()
    }
}

/// A stack set of this baseline that the render no longer has (a component switched off, a
/// region group gone): its instances are deleted, then the stack set.
#[derive(Clone, Debug)]
pub struct Retired {
    pub name: String,
    pub instances: Vec<(String, String)>,
}

/// The description every stack set of a baseline carries; how retired ones are found.
pub fn description_prefix(baseline_name: &str) -> String {
    format!("cfn-baseline {baseline_name}: ")
}

/// The (organizational unit, region) pairs of a service-managed stack set's instances.
fn unit_pairs(instances: &[crate::aws::StackInstance]) -> BTreeSet<(String, String)> {
    instances
        .iter()
        .filter_map(|i| Some((i.organizational_unit.clone()?, i.region.clone())))
        .collect()
}

/// Finds the baseline's stack sets that are not in `specs`, with their instances as
/// (account, region) pairs, or (unit, region) pairs for service-managed sets, which are
/// removed by unit.
pub async fn retired<A: StackSetApi>(
    api: &A,
    ctx: &StackSetContext,
    baseline_name: &str,
    specs: &[StackSetSpec],
    service_managed: bool,
) -> Result<Vec<Retired>, String> {
    let prefix = description_prefix(baseline_name);
    let names = patiently(|| api.stack_sets(ctx, &prefix))
        .await
        .map_err(|e| format!("listing stack sets: {e}"))?;
    let mut out = Vec::new();
    for name in names
        .into_iter()
        .filter(|n| !specs.iter().any(|s| s.name == *n))
    {
        let instances = patiently(|| api.stack_instances(ctx, &name))
            .await
            .map_err(|e| format!("listing the instances of stack set {name}: {e}"))?;
        out.push(Retired {
            instances: if service_managed {
                unit_pairs(&instances).into_iter().collect()
            } else {
                instances
                    .into_iter()
                    .map(|i| (i.account, i.region))
                    .collect()
            },
            name,
        });
    }
    Ok(out)
}

/// Deletes a retired stack set's instances (keeping their stacks when asked), then the set.
pub async fn retire<A: StackSetApi>(
    api: &A,
    rollout: &Rollout,
    set: &Retired,
    tx: &Tx,
) -> SetReport {
    let mut report = SetReport {
        name: set.name.clone(),
        failure: None,
        results: Vec::new(),
    };
    let ctx = &rollout.ctx;
    for (targets, regions) in batches(&set.instances) {
        let t = instance_targets(targets, regions, rollout);
        status(tx, &set.name, "deleting instances");
        let op = patiently(|| {
            api.delete_stack_instances(
                ctx,
                &set.name,
                &t,
                rollout.retain_stacks,
                &rollout.preferences,
            )
        })
        .await;
        let id = match op {
            Ok(id) => id,
            Err(e) => {
                report.failure = Some(format!("deleting instances: {e}"));
                return report;
            }
        };
        match follow(api, ctx, &set.name, &id, &rollout.options).await {
            Ok((state, results)) => {
                merge(&mut report.results, results);
                if !state.status.is_success() {
                    report.failure = Some(format!("deleting instances ended {}", state.status));
                    return report;
                }
            }
            Err(e) => {
                report.failure = Some(e);
                return report;
            }
        }
    }
    status(tx, &set.name, "deleting the stack set");
    if let Err(e) = patiently(|| api.delete_stack_set(ctx, &set.name)).await {
        report.failure = Some(format!("deleting the stack set: {e}"));
    }
    report
}

/// Compares every stack set with what exists.
pub async fn plan<A: StackSetApi>(
    api: &A,
    ctx: &StackSetContext,
    specs: Vec<StackSetSpec>,
    targets: &Targets,
) -> Result<Vec<SetPlan>, String> {
    let mut out = Vec::new();
    for spec in specs {
        let err = |what: &str, e: ApiError| format!("{what} stack set {}: {e}", spec.name);
        let state = patiently(|| api.describe_stack_set(ctx, &spec.name))
            .await
            .map_err(|e| err("describing", e))?;
        let wanted: BTreeSet<(String, String)> = if targets.service_managed() {
            targets
                .organizational_units
                .iter()
                .flat_map(|ou| spec.regions.iter().map(move |r| (ou.clone(), r.clone())))
                .collect()
        } else {
            targets
                .accounts
                .iter()
                .flat_map(|a| spec.regions.iter().map(move |r| (a.clone(), r.clone())))
                .collect()
        };
        let Some(state) = state else {
            out.push(SetPlan {
                add: wanted.into_iter().collect(),
                spec,
                exists: false,
                template_changed: true,
                remove: vec![],
                deployed_body: None,
            });
            continue;
        };
        let instances = patiently(|| api.stack_instances(ctx, &spec.name))
            .await
            .map_err(|e| err("listing the instances of", e))?;
        let (add, remove) = if targets.service_managed() {
            // AWS places the accounts of each unit; the tool manages (unit, region) pairs:
            // a unit newly listed gets its instances though the region has others'.
            let have: BTreeSet<(String, String)> = unit_pairs(&instances);
            (
                wanted.difference(&have).cloned().collect(),
                have.difference(&wanted).cloned().collect(),
            )
        } else {
            let have: BTreeSet<(String, String)> = instances
                .iter()
                .map(|i| (i.account.clone(), i.region.clone()))
                .collect();
            (
                wanted.difference(&have).cloned().collect(),
                have.difference(&wanted).cloned().collect(),
            )
        };
        out.push(SetPlan {
            template_changed: state.template_body != spec.body,
            deployed_body: Some(state.template_body),
            spec,
            exists: true,
            add,
            remove,
        });
    }
    Ok(out)
}

/// How one stack set's deployment ended, with the latest result of every instance touched.
#[derive(Clone, Debug)]
pub struct SetReport {
    pub name: String,
    pub failure: Option<String>,
    pub results: Vec<OperationResult>,
}

/// Groups (target, region) pairs into calls: targets that need the same regions together.
fn batches(pairs: &[(String, String)]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut per_target: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (t, r) in pairs {
        per_target.entry(t).or_default().push(r.clone());
    }
    let mut per_regions: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (t, rs) in per_target {
        per_regions.entry(rs).or_default().push(t.to_string());
    }
    per_regions.into_iter().map(|(rs, ts)| (ts, rs)).collect()
}

/// How stack sets are rolled out: where from, at what pace, what to keep.
#[derive(Clone, Debug)]
pub struct Rollout {
    pub ctx: StackSetContext,
    pub preferences: OperationPreferences,
    pub retain_stacks: bool,
    pub service_managed: bool,
    /// Accounts left out of the organizational units targeted.
    pub excluded_accounts: Vec<String>,
    pub options: Options,
}

/// Creates or updates one stack set and its instances, following every operation.
pub async fn apply<A: StackSetApi>(
    api: &A,
    rollout: &Rollout,
    plan: &SetPlan,
    request: &StackSetRequest,
    tx: &Tx,
) -> SetReport {
    let (ctx, preferences, options) = (&rollout.ctx, &rollout.preferences, &rollout.options);
    let retain_stacks = rollout.retain_stacks;
    let name = plan.spec.name.clone();
    let mut report = SetReport {
        name: name.clone(),
        failure: None,
        results: Vec::new(),
    };
    let mut step = async |what: &str, op: Result<String, ApiError>| -> bool {
        let id = match op {
            Ok(id) => id,
            Err(e) => {
                report.failure = Some(format!("{what}: {e}"));
                return false;
            }
        };
        status(tx, &name, format!("{what} (operation {id})"));
        match follow(api, ctx, &name, &id, options).await {
            Ok((state, results)) => {
                merge(&mut report.results, results);
                let failed: Vec<String> = report
                    .results
                    .iter()
                    .filter(|r| r.status.is_failed())
                    .map(|r| {
                        format!(
                            "{}/{}: {}",
                            r.account,
                            r.region,
                            r.reason.clone().unwrap_or_else(|| "no reason given".into())
                        )
                    })
                    .collect();
                if !state.status.is_success() {
                    report.failure = Some(format!(
                        "{what} ended {}{}{}",
                        state.status,
                        state.reason.map(|r| format!(" ({r})")).unwrap_or_default(),
                        if failed.is_empty() {
                            String::new()
                        } else {
                            format!("; failed instances: {}", failed.join("; "))
                        }
                    ));
                    return false;
                }
                if !failed.is_empty() {
                    report.failure = Some(format!(
                        "{what} succeeded within the failure tolerance, but instances failed: {}",
                        failed.join("; ")
                    ));
                }
                true
            }
            Err(e) => {
                report.failure = Some(format!("{what}: {e}"));
                false
            }
        }
    };

    if !plan.exists {
        status(tx, &name, "creating stack set");
        if let Err(e) = patiently(|| api.create_stack_set(ctx, request)).await {
            report.failure = Some(format!("creating the stack set: {e}"));
            return report;
        }
    } else if plan.template_changed {
        let op = patiently(|| api.update_stack_set(ctx, request, preferences)).await;
        if !step("updating the template", op).await {
            return report;
        }
    }
    for (targets, regions) in batches(&plan.add) {
        let t = instance_targets(targets, regions, rollout);
        let op = patiently(|| api.create_stack_instances(ctx, &name, &t, preferences)).await;
        if !step("creating instances", op).await {
            return report;
        }
    }
    for (targets, regions) in batches(&plan.remove) {
        let t = instance_targets(targets, regions, rollout);
        let op =
            patiently(|| api.delete_stack_instances(ctx, &name, &t, retain_stacks, preferences))
                .await;
        if !step("deleting instances", op).await {
            return report;
        }
    }
    report
}

fn instance_targets(
    targets: Vec<String>,
    regions: Vec<String>,
    rollout: &Rollout,
) -> InstanceTargets {
    if rollout.service_managed {
        InstanceTargets {
            accounts: vec![],
            organizational_units: targets,
            excluded_accounts: rollout.excluded_accounts.clone(),
            regions,
        }
    } else {
        InstanceTargets {
            accounts: targets,
            organizational_units: vec![],
            excluded_accounts: vec![],
            regions,
        }
    }
}

/// Later results replace earlier ones for the same instance.
fn merge(into: &mut Vec<OperationResult>, results: Vec<OperationResult>) {
    for r in results {
        match into
            .iter_mut()
            .find(|x| x.account == r.account && x.region == r.region)
        {
            Some(x) => *x = r,
            None => into.push(r),
        }
    }
    into.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
}

/// Polls an operation with backoff until it ends; returns its state and per-instance results.
async fn follow<A: StackSetApi>(
    api: &A,
    ctx: &StackSetContext,
    name: &str,
    id: &str,
    options: &Options,
) -> Result<(crate::aws::OperationState, Vec<OperationResult>), String> {
    let started = Instant::now();
    let mut backoff = Backoff::new();
    loop {
        let state = patiently(|| api.operation(ctx, name, id))
            .await
            .map_err(|e| format!("following operation {id}: {e}"))?;
        if state.status.is_finished() {
            let results = patiently(|| api.operation_results(ctx, name, id))
                .await
                .map_err(|e| format!("reading the results of operation {id}: {e}"))?;
            return Ok((state, results));
        }
        if started.elapsed() > options.timeout {
            return Err(format!(
                "operation {id} did not finish in {:?}",
                options.timeout
            ));
        }
        backoff.wait().await;
    }
}

/// How drift detection on one stack set ended.
#[derive(Clone, Debug)]
pub enum SetDrift {
    /// Every instance with its drift status after detection.
    Instances(Vec<crate::aws::StackInstance>),
    Unsupported(String),
    Failed(String),
}

/// Runs DetectStackSetDrift on a stack set and reads each instance's drift status.
pub async fn detect_drift<A: StackSetApi>(
    api: &A,
    ctx: &StackSetContext,
    name: &str,
    options: &Options,
) -> SetDrift {
    let id = match patiently(|| api.detect_stack_set_drift(ctx, name)).await {
        Ok(id) => id,
        Err(ApiError::Unsupported(op)) => {
            return SetDrift::Unsupported(format!(
                "this endpoint does not support stack set drift detection ({op} is not implemented there)"
            ))
        }
        Err(e) => return SetDrift::Failed(format!("starting drift detection: {e}")),
    };
    let reason = match follow(api, ctx, name, &id, options).await {
        Ok((state, _)) if state.status.is_success() => None,
        Ok((state, _)) => Some(format!(
            "drift detection ended {}{}",
            state.status,
            state.reason.map(|r| format!(" ({r})")).unwrap_or_default()
        )),
        Err(e) => return SetDrift::Failed(e),
    };
    match patiently(|| api.stack_instances(ctx, name)).await {
        Ok(instances) if reason.is_none() => SetDrift::Instances(instances),
        Ok(_) => SetDrift::Failed(reason.unwrap_or_default()),
        Err(e) => SetDrift::Failed(format!("listing the instances: {e}")),
    }
}

/// A stack set's drift as diff stacks: one per instance (DRIFTED ones as a change pointing to
/// a stack-mode run for property detail, unknown ones as not checked), or one unchecked entry
/// when detection could not run.
pub fn drift_diffs(spec: &StackSetSpec, ctx: &StackSetContext, found: SetDrift) -> Vec<StackDiff> {
    let component = Some(spec.component.as_str().to_string());
    let set_type = format!("stack/{}", spec.component.as_str());
    match found {
        SetDrift::Instances(instances) => instances
            .into_iter()
            .map(|i| {
                let mut s = StackDiff {
                    account: i.account.clone(),
                    region: i.region.clone(),
                    stack_name: spec.name.clone(),
                    component: component.clone(),
                    status: StackStatus::Unchanged,
                    changes: vec![],
                    not_checked: vec![],
                };
                match &i.drift_status {
                    Some(StackDriftStatus::InSync) => {}
                    Some(StackDriftStatus::Drifted) => {
                        let mut c = diff::classify_change(
                            None,
                            &set_type,
                            vec![],
                            Action::Modified,
                            Some(Json::String(StackDriftStatus::InSync.to_string())),
                            Some(Json::String(StackDriftStatus::Drifted.to_string())),
                            &Json::Null,
                            &Json::Null,
                        );
                        c.impact = Impact::Neutral;
                        c.explanation = format!(
                            "the stack instance drifted; run `cfn-baseline drift` in stack mode with access to \
                             account {} for the properties and their security impact",
                            i.account
                        );
                        s.changes.push(c);
                        s.status = StackStatus::Changed;
                    }
                    other => s.not_checked.push(NotChecked {
                        resource: None,
                        resource_type: set_type.clone(),
                        reason: format!(
                            "instance drift status {}",
                            other.as_ref().map_or("unknown", |s| s.as_str())
                        ),
                    }),
                }
                s
            })
            .collect(),
        SetDrift::Unsupported(reason) | SetDrift::Failed(reason) => vec![StackDiff {
            account: "stackset".into(),
            region: ctx.region.clone(),
            stack_name: spec.name.clone(),
            component,
            status: StackStatus::Unchecked,
            changes: vec![],
            not_checked: vec![NotChecked {
                resource: None,
                resource_type: set_type,
                reason,
            }],
        }],
    }
}
