//! Drift detection over the narrow interface: start detection on every stack concurrently,
//! poll its status with backoff, read every resource's drift, and turn the results into the
//! diff model (expected = as deployed, actual = live), with what could not be checked said
//! plainly. Reverting goes through `deploy` with drift-aware change sets. Never prints.

use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::time::Instant;

use serde_json::Value as Json;

use crate::aws::{ApiError, DifferenceType, DriftApi, ResourceDrift, ResourceDriftStatus};
use crate::deploy::{Job, Options};
use crate::diff::{self, Action, NotChecked, PathSeg, StackDiff, StackStatus};
use crate::fanout::{bounded, patiently, status, Backoff, Tx};
use crate::template::Template;

/// What detection found for one stack.
#[derive(Clone, Debug)]
pub enum Checked {
    /// Detection ran. `detection_failed` holds the reason when it only partly succeeded.
    Drifts {
        deployed: Json,
        resources: Vec<ResourceDrift>,
        detection_failed: Option<String>,
    },
    /// The stack does not exist (or is an empty new-stack shell).
    NotDeployed,
    /// The endpoint has no drift detection.
    Unsupported(String),
    /// Detection could not run or finish.
    Failed(String),
}

#[derive(Clone, Debug)]
pub struct StackCheck {
    pub job: Job,
    pub checked: Checked,
}

/// Detects drift on every job, within `options.limits`.
pub async fn detect<A: DriftApi>(
    api: Arc<A>,
    jobs: Vec<Job>,
    options: Options,
    tx: Tx,
) -> Vec<StackCheck> {
    let limits = options.limits.clone();
    bounded(
        jobs,
        &limits,
        |job| job.region.clone(),
        move |job| {
            let (api, tx, options) = (api.clone(), tx.clone(), options.clone());
            async move {
                let checked = detect_one(api.as_ref(), &job, &options, &tx).await;
                StackCheck { job, checked }
            }
        },
    )
    .await
}

async fn detect_one<A: DriftApi>(api: &A, job: &Job, options: &Options, tx: &Tx) -> Checked {
    let (region, name) = (job.region.as_str(), job.stack_name.as_str());
    match patiently(|| api.describe_stack(region, name)).await {
        Ok(None) => return Checked::NotDeployed,
        Ok(Some(s)) if s.status.is_review() => return Checked::NotDeployed,
        Ok(Some(_)) => {}
        Err(e) => return Checked::Failed(format!("describing {name} in {region}: {e}")),
    }
    let deployed = match patiently(|| api.get_template(region, name)).await {
        Ok(body) => match Template::parse(&body) {
            Ok(t) => t.value,
            Err(e) => return Checked::Failed(format!("the deployed template does not parse: {e}")),
        },
        Err(e) => {
            return Checked::Failed(format!("reading the template of {name} in {region}: {e}"))
        }
    };
    status(tx, &job.key, "detecting drift");
    let id = match patiently(|| api.detect_stack_drift(region, name)).await {
        Ok(id) => id,
        Err(ApiError::Unsupported(op)) => {
            return Checked::Unsupported(format!(
                "this endpoint does not support drift detection ({op} is not implemented there)"
            ))
        }
        Err(e) => return Checked::Failed(format!("starting drift detection: {e}")),
    };
    let started = Instant::now();
    let mut backoff = Backoff::new();
    let detection_failed = loop {
        let st = match patiently(|| api.drift_detection_status(region, &id)).await {
            Ok(st) => st,
            Err(e) => return Checked::Failed(format!("following drift detection: {e}")),
        };
        if st.status.is_failed() {
            break Some(st.reason.unwrap_or_else(|| "no reason given".to_string()));
        }
        if !st.status.is_in_progress() {
            break None;
        }
        if started.elapsed() > options.timeout {
            return Checked::Failed(format!(
                "drift detection did not finish in {:?}",
                options.timeout
            ));
        }
        backoff.wait().await;
    };
    match patiently(|| api.resource_drifts(region, name)).await {
        Ok(resources) => Checked::Drifts {
            deployed,
            resources,
            detection_failed,
        },
        Err(e) => Checked::Failed(format!("reading resource drifts: {e}")),
    }
}

/// A property value as the drift API gives it: JSON text, or a bare scalar.
fn value(text: Option<&str>) -> Option<Json> {
    let text = text?;
    Some(serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string())))
}

fn not_checked(resource: &str, resource_type: &str, reason: &str) -> NotChecked {
    NotChecked {
        resource: Some(resource.to_string()),
        resource_type: resource_type.to_string(),
        reason: reason.to_string(),
    }
}

/// One stack's detection as a diff of expected (deployed) against actual (live).
pub fn stack_diff(check: &StackCheck, account: &str, rendered: &Json) -> StackDiff {
    let job = &check.job;
    let component = rendered
        .pointer("/Metadata/cfn-baseline/component")
        .and_then(Json::as_str)
        .map(str::to_string);
    let mut out = StackDiff {
        account: account.to_string(),
        region: job.region.clone(),
        stack_name: job.stack_name.clone(),
        component: component.clone(),
        status: StackStatus::Unchanged,
        changes: Vec::new(),
        not_checked: Vec::new(),
    };
    let unchecked = |out: &mut StackDiff, reason: String| {
        out.status = StackStatus::Unchecked;
        out.not_checked.push(NotChecked {
            resource: None,
            resource_type: format!("stack/{}", component.as_deref().unwrap_or("unknown")),
            reason,
        });
    };
    match &check.checked {
        Checked::NotDeployed => {
            let summary: serde_json::Map<String, Json> = rendered
                .get("Resources")
                .and_then(Json::as_object)
                .map(|rs| {
                    rs.iter()
                        .map(|(id, r)| (id.clone(), r.get("Type").cloned().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            let mut change = diff::classify_change(
                None,
                &format!("stack/{}", component.as_deref().unwrap_or("unknown")),
                vec![],
                Action::Removed,
                Some(Json::Object(summary)),
                None,
                rendered,
                &Json::Null,
            );
            change.explanation = format!(
                "the stack is not deployed: {} (run `cfn-baseline deploy`)",
                change.explanation
            );
            out.changes.push(change);
            out.status = StackStatus::Removed;
        }
        Checked::Unsupported(reason) | Checked::Failed(reason) => {
            unchecked(&mut out, reason.clone())
        }
        Checked::Drifts {
            deployed,
            resources,
            detection_failed,
        } => {
            if let Some(reason) = detection_failed {
                out.not_checked.push(NotChecked {
                    resource: None,
                    resource_type: format!("stack/{}", component.as_deref().unwrap_or("unknown")),
                    reason: format!("drift detection failed for part of the stack: {reason}"),
                });
            }
            let mut seen = BTreeSet::new();
            for r in resources {
                seen.insert(r.logical_id.clone());
                let resource = deployed
                    .get("Resources")
                    .and_then(|rs| rs.get(&r.logical_id));
                match &r.status {
                    ResourceDriftStatus::InSync => {}
                    ResourceDriftStatus::Modified => {
                        for d in &r.differences {
                            let action = match d.kind {
                                DifferenceType::Add => Action::Added,
                                DifferenceType::Remove => Action::Removed,
                                _ => Action::Modified,
                            };
                            // Property paths are relative to the resource's Properties.
                            let mut segments = vec![PathSeg::Key("Properties".to_string())];
                            segments.extend(diff::pointer_segments(
                                resource.and_then(|r| r.get("Properties")),
                                &d.path,
                            ));
                            out.changes.push(diff::classify_change(
                                Some(&r.logical_id),
                                &r.resource_type,
                                segments,
                                action,
                                value(d.expected.as_deref()),
                                value(d.actual.as_deref()),
                                deployed,
                                &Json::Null,
                            ));
                        }
                        if r.differences.is_empty() {
                            out.not_checked.push(not_checked(
                                &r.logical_id,
                                &r.resource_type,
                                "reported MODIFIED without the properties that differ",
                            ));
                        }
                    }
                    ResourceDriftStatus::Deleted => {
                        let mut change = diff::classify_change(
                            Some(&r.logical_id),
                            &r.resource_type,
                            vec![],
                            Action::Removed,
                            resource.cloned(),
                            None,
                            deployed,
                            &Json::Null,
                        );
                        change.explanation =
                            format!("deleted outside CloudFormation: {}", change.explanation);
                        out.changes.push(change);
                    }
                    status if status.is_not_checked() => out.not_checked.push(not_checked(
                        &r.logical_id,
                        &r.resource_type,
                        "drift detection does not support this resource type",
                    )),
                    other => out.not_checked.push(not_checked(
                        &r.logical_id,
                        &r.resource_type,
                        &format!("drift could not be determined ({other})"),
                    )),
                }
            }
            // Resources the detection said nothing about were not checked either.
            if let Some(rs) = deployed.get("Resources").and_then(Json::as_object) {
                for (id, r) in rs {
                    if !seen.contains(id) {
                        let ty = r.get("Type").and_then(Json::as_str).unwrap_or("unknown");
                        out.not_checked.push(not_checked(
                            id,
                            ty,
                            "no drift result was returned for it",
                        ));
                    }
                }
            }
            if !out.changes.is_empty() {
                out.status = StackStatus::Changed;
            }
        }
    }
    out
}
