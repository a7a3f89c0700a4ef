//! One change in many stacks reads as one change. Identical changes (same stack, resource,
//! property path, action, old and new value, impact and reason) across accounts and regions
//! form a group, described by where it is: "in all 1,700 stacks", "in 3 accounts × every
//! region", "in every account and region but 111111111111/eu-west-1", or the list when short.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Change, Impact, NotChecked, Report};

/// Lists of places this long or shorter are written out in full.
const SHORT_LIST: usize = 4;

/// One change and every stack that has it.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeGroup {
    pub stack_name: String,
    pub component: Option<String>,
    #[serde(flatten)]
    pub change: Change,
    /// `account/region` of every stack with this change, sorted.
    pub stacks: Vec<String>,
    /// Where, in words (see the module doc).
    pub scope: String,
}

/// One thing that could not be checked, and every stack where it could not.
#[derive(Clone, Debug, Serialize)]
pub struct NotCheckedGroup {
    pub stack_name: String,
    #[serde(flatten)]
    pub not_checked: NotChecked,
    pub stacks: Vec<String>,
    pub scope: String,
}

/// The places a stack name has in the report: its (account, region) pairs.
struct Universe {
    pairs: BTreeSet<(String, String)>,
    accounts: BTreeSet<String>,
    regions: BTreeSet<String>,
}

fn universes(report: &Report) -> BTreeMap<&str, Universe> {
    let mut out: BTreeMap<&str, Universe> = BTreeMap::new();
    for s in &report.stacks {
        let u = out
            .entry(s.stack_name.as_str())
            .or_insert_with(|| Universe {
                pairs: BTreeSet::new(),
                accounts: BTreeSet::new(),
                regions: BTreeSet::new(),
            });
        u.pairs.insert((s.account.clone(), s.region.clone()));
        u.accounts.insert(s.account.clone());
        u.regions.insert(s.region.clone());
    }
    out
}

/// The identity of a change, values in canonical form.
type ChangeKey = (
    String,
    Impact,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn key(stack_name: &str, c: &Change) -> ChangeKey {
    let value = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map(crate::json::to_compact_sorted)
            .unwrap_or_default()
    };
    (
        stack_name.to_string(),
        c.impact,
        c.resource.clone(),
        c.resource_type.clone(),
        c.path.clone(),
        format!("{:?}", c.action),
        value(&c.old),
        value(&c.new),
        c.explanation.clone(),
    )
}

impl Report {
    /// Every distinct change with the stacks that have it: weakening first, then by stack
    /// name and target.
    pub fn groups(&self) -> Vec<ChangeGroup> {
        let universes = universes(self);
        let mut groups: BTreeMap<ChangeKey, ChangeGroup> = BTreeMap::new();
        for s in &self.stacks {
            for c in &s.changes {
                let g = groups
                    .entry(key(&s.stack_name, c))
                    .or_insert_with(|| ChangeGroup {
                        stack_name: s.stack_name.clone(),
                        component: s.component.clone(),
                        change: c.clone(),
                        stacks: Vec::new(),
                        scope: String::new(),
                    });
                g.stacks.push(format!("{}/{}", s.account, s.region));
            }
        }
        let mut out: Vec<ChangeGroup> = groups.into_values().collect();
        for g in &mut out {
            g.stacks.sort();
            g.stacks.dedup();
            g.scope = scope(&g.stacks, &universes[g.stack_name.as_str()]);
        }
        out.sort_by(|a, b| {
            (a.change.impact, &a.stack_name, a.change.target()).cmp(&(
                b.change.impact,
                &b.stack_name,
                b.change.target(),
            ))
        });
        out
    }

    /// Every distinct thing not checked, with the stacks where it was not.
    pub fn not_checked_groups(&self) -> Vec<NotCheckedGroup> {
        let universes = universes(self);
        let mut groups: BTreeMap<(String, Option<String>, String, String), NotCheckedGroup> =
            BTreeMap::new();
        for s in &self.stacks {
            for n in &s.not_checked {
                groups
                    .entry((
                        s.stack_name.clone(),
                        n.resource.clone(),
                        n.resource_type.clone(),
                        n.reason.clone(),
                    ))
                    .or_insert_with(|| NotCheckedGroup {
                        stack_name: s.stack_name.clone(),
                        not_checked: n.clone(),
                        stacks: Vec::new(),
                        scope: String::new(),
                    })
                    .stacks
                    .push(format!("{}/{}", s.account, s.region));
            }
        }
        let mut out: Vec<NotCheckedGroup> = groups.into_values().collect();
        for g in &mut out {
            g.stacks.sort();
            g.stacks.dedup();
            g.scope = scope(&g.stacks, &universes[g.stack_name.as_str()]);
        }
        out
    }

    /// Whether any stack name stands in more than one place, so that grouping says more than
    /// the per-stack view.
    pub fn spans_targets(&self) -> bool {
        universes(self).values().any(|u| u.pairs.len() > 1)
    }
}

/// Where some stacks are, in words, among all the places (`account/region`) their stack
/// has: the wording of a group's scope, for other reports (the live plan).
pub fn scope_among(stacks: &[String], all: &[String]) -> String {
    let mut universe = Universe {
        pairs: BTreeSet::new(),
        accounts: BTreeSet::new(),
        regions: BTreeSet::new(),
    };
    for place in all {
        if let Some((a, r)) = place.split_once('/') {
            universe.pairs.insert((a.to_string(), r.to_string()));
            universe.accounts.insert(a.to_string());
            universe.regions.insert(r.to_string());
        }
    }
    let mut stacks = stacks.to_vec();
    stacks.sort();
    stacks.dedup();
    scope(&stacks, &universe)
}

/// A count with thousands separators: 1,700.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

/// Accounts or regions of a product, in words.
fn side(
    chosen: &BTreeSet<String>,
    all: &BTreeSet<String>,
    every: &str,
    noun: (&str, &str),
) -> String {
    if chosen == all && all.len() > 1 {
        return every.to_string();
    }
    // All but a few: name the exceptions.
    let missing: Vec<String> = all.difference(chosen).cloned().collect();
    if !missing.is_empty() && missing.len() <= SHORT_LIST && chosen.len() > SHORT_LIST {
        return format!("{every} but {}", list(&missing));
    }
    let names: Vec<String> = chosen.iter().cloned().collect();
    let word = if names.len() == 1 { noun.0 } else { noun.1 };
    if names.len() <= SHORT_LIST {
        format!("{} {word} ({})", names.len(), list(&names))
    } else {
        format!("{} {word}", thousands(names.len()))
    }
}

/// Where a group is, in words, against the places its stack has in the report.
fn scope(stacks: &[String], universe: &Universe) -> String {
    let n = stacks.len();
    let total = universe.pairs.len();
    if n == 1 {
        return format!("in {}", stacks[0]);
    }
    let pairs: BTreeSet<(String, String)> = stacks
        .iter()
        .filter_map(|s| s.split_once('/'))
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect();
    if pairs == universe.pairs {
        let mut where_ = Vec::new();
        if universe.accounts.len() > 1 {
            where_.push("every account".to_string());
        }
        if universe.regions.len() > 1 {
            where_.push("every region".to_string());
        }
        return if where_.is_empty() {
            format!("in all {} stacks", thousands(n))
        } else {
            format!("in all {} stacks: {}", thousands(n), where_.join(", "))
        };
    }
    let accounts: BTreeSet<String> = pairs.iter().map(|(a, _)| a.clone()).collect();
    let regions: BTreeSet<String> = pairs.iter().map(|(_, r)| r.clone()).collect();
    let accounts_words = side(
        &accounts,
        &universe.accounts,
        "every account",
        ("account", "accounts"),
    );
    let regions_words = side(
        &regions,
        &universe.regions,
        "every region",
        ("region", "regions"),
    );
    if accounts.len() * regions.len() == n {
        return format!(
            "in {} stacks: {accounts_words} × {regions_words}",
            thousands(n)
        );
    }
    let missing: Vec<String> = universe
        .pairs
        .difference(&pairs)
        .map(|(a, r)| format!("{a}/{r}"))
        .collect();
    if missing.len() <= SHORT_LIST && total > 2 * SHORT_LIST {
        return format!(
            "in {} of {} stacks: all but {}",
            thousands(n),
            thousands(total),
            list(&missing)
        );
    }
    if n <= SHORT_LIST {
        return format!("in {}", list(stacks));
    }
    format!(
        "in {} of {} stacks, across {accounts_words} and {regions_words}",
        thousands(n),
        thousands(total)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn universe(accounts: &[&str], regions: &[&str]) -> Universe {
        let mut u = Universe {
            pairs: BTreeSet::new(),
            accounts: BTreeSet::new(),
            regions: BTreeSet::new(),
        };
        for a in accounts {
            for r in regions {
                u.pairs.insert((a.to_string(), r.to_string()));
                u.accounts.insert(a.to_string());
                u.regions.insert(r.to_string());
            }
        }
        u
    }

    fn stacks(accounts: &[&str], regions: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = accounts
            .iter()
            .flat_map(|a| regions.iter().map(move |r| format!("{a}/{r}")))
            .collect();
        out.sort();
        out
    }

    const ACCOUNTS: [&str; 10] = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"];
    const REGIONS: [&str; 3] = ["eu-west-1", "us-east-1", "us-west-2"];

    #[test]
    fn scopes_in_words() {
        let u = universe(&ACCOUNTS, &REGIONS);
        assert_eq!(
            scope(&stacks(&ACCOUNTS, &REGIONS), &u),
            "in all 30 stacks: every account, every region"
        );
        assert_eq!(
            scope(&stacks(&ACCOUNTS, &["eu-west-1"]), &u),
            "in 10 stacks: every account × 1 region (eu-west-1)"
        );
        assert_eq!(
            scope(&stacks(&["a3"], &REGIONS), &u),
            "in 3 stacks: 1 account (a3) × every region"
        );
        assert_eq!(
            scope(&stacks(&["a3"], &["us-east-1"]), &u),
            "in a3/us-east-1"
        );
        // Everywhere but one place: the exception is named.
        let mut all_but_one = stacks(&ACCOUNTS, &REGIONS);
        all_but_one.retain(|s| s != "a7/us-west-2");
        assert_eq!(
            scope(&all_but_one, &u),
            "in 29 of 30 stacks: all but a7/us-west-2"
        );
        // Every account but one, in every region: the account is named.
        assert_eq!(
            scope(&stacks(&ACCOUNTS[..9], &REGIONS), &u),
            "in 27 stacks: every account but a9 × every region"
        );
        let mut scattered = stacks(&["a1", "a2"], &["us-east-1"]);
        scattered.push("a5/eu-west-1".into());
        scattered.sort();
        assert_eq!(
            scope(&scattered, &u),
            "in a1/us-east-1, a2/us-east-1, a5/eu-west-1"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_700), "1,700");
        assert_eq!(thousands(6_900_000), "6,900,000");
    }
}
