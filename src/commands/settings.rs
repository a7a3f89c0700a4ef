//! The settings outside CloudFormation that have no type of their own
//! ([`crate::settings::Setting`]), for plan/deploy, drift and diff: read each account's (and
//! region's), compare with the baseline through the same diff as the stacks, apply.

use std::sync::Arc;

use super::deploy::Group;
use crate::aws::{ApiResult, SettingsApi};
use crate::baseline::Baseline;
use crate::diff::{Change, StackInput};
use crate::fanout::{self, Limits};
use crate::settings::{setting_changes, setting_stack, wanted_settings, WantedSetting};

/// One setting of one account (and region): what the baseline wants, and what is there.
pub struct SettingRead {
    pub group: usize,
    pub label: String,
    pub account_id: String,
    pub wanted: WantedSetting,
    /// None: nothing is set.
    pub live: ApiResult<Option<serde_json::Value>>,
}

impl SettingRead {
    /// `<account>/<region or global>/<name>`.
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}",
            self.label,
            self.wanted.region,
            self.wanted.setting.stack_name()
        )
    }

    pub fn wanted_stack(&self) -> StackInput {
        setting_stack(
            &self.label,
            self.wanted.setting,
            &self.wanted.region,
            Some(&self.wanted.properties),
        )
    }

    /// The live side as a pseudo-stack, with only the properties the baseline sets (None
    /// when it could not be read).
    pub fn live_stack(&self) -> Option<StackInput> {
        let live = self.live.as_ref().ok()?;
        let comparable = live.as_ref().map(|l| self.wanted.comparable(l));
        Some(setting_stack(
            &self.label,
            self.wanted.setting,
            &self.wanted.region,
            comparable.as_ref(),
        ))
    }

    /// The differences from live to wanted, classified (empty when unreadable or in sync).
    pub fn changes(&self) -> Vec<Change> {
        match self.live_stack() {
            Some(live) => setting_changes(live, self.wanted_stack()),
            None => Vec::new(),
        }
    }

    /// Whether the endpoint does not implement the setting's API (the emulator).
    pub fn unsupported(&self) -> bool {
        matches!(self.live, Err(crate::aws::ApiError::Unsupported(_)))
    }

    /// A line about what was read, beside the comparison ([`crate::settings::Setting::note`]).
    pub fn note(&self) -> Option<String> {
        let live = self.live.as_ref().ok()?;
        self.wanted
            .setting
            .note(live.as_ref(), &self.wanted.properties)
    }

    /// Why what was read cannot be brought to what the baseline wants
    /// ([`crate::settings::Setting::refusal`]); None when it can, or could not be read.
    pub fn refusal(&self) -> Option<String> {
        let live = self.live.as_ref().ok()?;
        self.wanted
            .setting
            .refusal(live.as_ref(), &self.wanted.properties)
    }

    /// Whether anything is set there now.
    pub fn is_set(&self) -> bool {
        matches!(self.live, Ok(Some(_)))
    }
}

/// (group, label, account id, client, wanted setting).
type Item<A> = (usize, String, String, Arc<A>, WantedSetting);

/// Reads every wanted setting of every group, concurrently within `limits`.
pub async fn read_all<A: SettingsApi>(
    baseline: &Baseline,
    groups: &[Group<A>],
    limits: &Limits,
) -> Vec<SettingRead> {
    let named = !baseline.account_ids().is_empty();
    let mut items = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let account = named.then_some(g.account_id.as_str());
        for wanted in wanted_settings(baseline, account, &g.regions()) {
            items.push((
                i,
                g.label.clone(),
                g.account_id.clone(),
                g.api.clone(),
                wanted,
            ));
        }
    }
    let mut read = fanout::bounded(
        items,
        limits,
        |(i, _, _, _, w): &Item<A>| format!("{i}/{}/{}", w.region, w.setting.stack_name()),
        |(i, label, account_id, api, wanted): Item<A>| async move {
            let live = api
                .read_setting(wanted.setting, &account_id, &wanted.region)
                .await;
            SettingRead {
                group: i,
                label,
                account_id,
                wanted,
                live,
            }
        },
    )
    .await;
    read.sort_by(|a, b| {
        (a.group, &a.wanted.region, a.wanted.setting).cmp(&(
            b.group,
            &b.wanted.region,
            b.wanted.setting,
        ))
    });
    read
}

/// Sets one setting to what the baseline wants; the line for the output.
pub async fn apply<A: SettingsApi>(api: &A, read: &SettingRead) -> ApiResult<String> {
    api.apply_setting(
        read.wanted.setting,
        &read.account_id,
        &read.wanted.region,
        &read.wanted.properties,
    )
    .await?;
    Ok(format!(
        "{}: {} set",
        read.key(),
        read.wanted.setting.describe()
    ))
}
