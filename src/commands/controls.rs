//! Security Hub controls outside CloudFormation, for plan/deploy, drift and diff: read each
//! account and region's controls, compare them with the baseline, and apply the changes.

use std::sync::Arc;

use super::deploy::Group;
use crate::aws::{ApiError, ApiResult, ControlsApi};
use crate::baseline::Baseline;
use crate::diff::{Change, StackInput};
use crate::fanout::{self, Limits};
use crate::plan::Component;
use crate::settings::{
    controls_stack, setting_changes, ControlSettings, ControlUpdate, LiveControls,
};

/// One account and region's controls: what the baseline wants, and what is there.
pub struct ControlsRead {
    pub group: usize,
    pub label: String,
    pub wanted: ControlSettings,
    pub live: ApiResult<LiveControls>,
}

impl ControlsRead {
    /// `<account>/<region>/securityhub-controls`.
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}",
            self.label,
            self.wanted.region,
            crate::settings::CONTROLS_STACK
        )
    }

    /// The live side as a pseudo-stack (None when it could not be read).
    pub fn live_stack(&self) -> Option<StackInput> {
        let live = self.live.as_ref().ok()?;
        Some(controls_stack(
            &self.label,
            &self.wanted.region,
            &live.disabled(&self.wanted),
        ))
    }

    pub fn wanted_stack(&self) -> StackInput {
        controls_stack(&self.label, &self.wanted.region, &self.wanted.disabled)
    }

    /// The differences from live to wanted, classified (empty when unreadable or in sync).
    pub fn changes(&self) -> Vec<Change> {
        match self.live_stack() {
            Some(live) => setting_changes(live, self.wanted_stack()),
            None => Vec::new(),
        }
    }

    /// The association changes that bring the live controls to the baseline.
    pub fn updates(&self) -> Vec<ControlUpdate> {
        match &self.live {
            Ok(live) => live.updates(&self.wanted),
            Err(_) => Vec::new(),
        }
    }

    /// Security Hub is off there now: the stack turns it on, then the controls are set.
    pub fn hub_off(&self) -> bool {
        matches!(&self.live, Ok(l) if !l.hub_enabled)
    }

    /// The endpoint has no Security Hub control API (the emulator).
    pub fn unsupported(&self) -> bool {
        matches!(self.live, Err(ApiError::Unsupported(_)))
    }
}

/// Reads the controls of every group's regions where the baseline turns Security Hub on,
/// concurrently within `limits`.
pub async fn read_all<A: ControlsApi>(
    baseline: &Baseline,
    groups: &[Group<A>],
    limits: &Limits,
) -> Vec<ControlsRead> {
    let named = !baseline.account_ids().is_empty();
    let mut items = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let mut regions: Vec<&str> = g
            .jobs
            .iter()
            .filter(|j| j.component == Component::Securityhub)
            .map(|j| j.region.as_str())
            .collect();
        regions.sort();
        regions.dedup();
        for region in regions {
            let account = named.then_some(g.account_id.as_str());
            if let Some(wanted) = ControlSettings::wanted(baseline, account, region) {
                items.push((i, g.label.clone(), g.api.clone(), wanted));
            }
        }
    }
    let mut read = fanout::bounded(
        items,
        limits,
        |(i, _, _, w): &(usize, String, Arc<A>, ControlSettings)| format!("{i}/{}", w.region),
        |(i, label, api, wanted): (usize, String, Arc<A>, ControlSettings)| async move {
            let controls: Vec<String> = wanted.disabled.keys().cloned().collect();
            let live = api
                .controls(&wanted.region, &wanted.standards, &controls)
                .await;
            ControlsRead {
                group: i,
                label,
                wanted,
                live,
            }
        },
    )
    .await;
    read.sort_by(|a, b| (a.group, &a.wanted.region).cmp(&(b.group, &b.wanted.region)));
    read
}

/// What applying one region's changes did, as a line for the output.
pub async fn apply<A: ControlsApi>(api: &A, read: &ControlsRead) -> ApiResult<String> {
    let updates = read.updates();
    let not_found = api.update_controls(&read.wanted.region, &updates).await?;
    let disabled = updates.iter().filter(|u| u.disable).count();
    let enabled = updates.len() - disabled;
    let mut line = format!(
        "{}: Security Hub controls: {disabled} association(s) disabled, {enabled} enabled again",
        read.key()
    );
    if !not_found.is_empty() {
        let mut controls: Vec<&str> = not_found.iter().map(|u| u.control.as_str()).collect();
        controls.sort();
        controls.dedup();
        line.push_str(&format!(
            "; {} not in their standard{} ({})",
            not_found.len(),
            if read.hub_off() {
                " yet (Security Hub adds a new standard's controls over a few minutes: run deploy again later)"
            } else {
                ""
            },
            controls.join(", ")
        ));
    }
    Ok(line)
}
