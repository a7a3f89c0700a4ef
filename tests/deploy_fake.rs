//! The deploy state machine on paths the emulator cannot produce, driven through a scripted
//! fake of the narrow CloudFormation interface.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cfn_baseline::aws::*;
use cfn_baseline::deploy::{self, Job, Options, Outcome, Prepared};
use tokio::sync::mpsc;

#[derive(Default)]
struct Fake {
    stacks: Mutex<HashMap<String, StackState>>,
    templates: Mutex<HashMap<String, String>>,
    /// Stack name -> how its change set ends: Ok(changes) or Err(status reason).
    change_sets: Mutex<HashMap<String, Result<Vec<ResourceChange>, String>>>,
    /// Stack name -> (final status, failure events) when executed.
    executions: Mutex<HashMap<String, (String, Vec<StackEvent>)>>,
    calls: Mutex<Vec<String>>,
}

impl Fake {
    fn call(&self, c: String) {
        self.calls.lock().unwrap().push(c);
    }
    fn with_stack(self, name: &str, status: &str, body: &str) -> Fake {
        self.stacks.lock().unwrap().insert(
            name.into(),
            StackState {
                stack_id: format!("id/{name}"),
                status: status.into(),
                status_reason: None,
                tags: vec![],
            },
        );
        self.templates
            .lock()
            .unwrap()
            .insert(name.into(), body.into());
        self
    }
}

impl StackApi for Fake {
    async fn describe_stack(&self, _: &str, name: &str) -> ApiResult<Option<StackState>> {
        Ok(self.stacks.lock().unwrap().get(name).cloned())
    }
    async fn get_template(&self, _: &str, name: &str) -> ApiResult<String> {
        Ok(self
            .templates
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .unwrap_or_default())
    }
    async fn create_change_set(&self, r: &ChangeSetRequest) -> ApiResult<String> {
        self.call(format!("create_change_set {}", r.stack_name));
        if let Some(Err(reason)) = self.change_sets.lock().unwrap().get(&r.stack_name) {
            if reason.starts_with("No updates") {
                return Err(ApiError::NoChanges(reason.clone()));
            }
        }
        Ok(format!("cs/{}", r.stack_name))
    }
    async fn describe_change_set(
        &self,
        _: &str,
        name: &str,
        id: &str,
    ) -> ApiResult<ChangeSetState> {
        let outcome = self
            .change_sets
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .unwrap_or(Ok(vec![]));
        Ok(match outcome {
            Ok(changes) => ChangeSetState {
                id: id.into(),
                status: "CREATE_COMPLETE".into(),
                status_reason: None,
                changes,
            },
            Err(reason) => ChangeSetState {
                id: id.into(),
                status: "FAILED".into(),
                status_reason: Some(reason),
                changes: vec![],
            },
        })
    }
    async fn execute_change_set(&self, _: &str, name: &str, _: &str) -> ApiResult<()> {
        self.call(format!("execute {name}"));
        let (status, _) = self
            .executions
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .unwrap_or(("CREATE_COMPLETE".into(), vec![]));
        self.stacks.lock().unwrap().insert(
            name.into(),
            StackState {
                stack_id: format!("id/{name}"),
                status,
                status_reason: None,
                tags: vec![],
            },
        );
        Ok(())
    }
    async fn stacks_tagged(&self, _: &str, _: &str, _: &str) -> ApiResult<Vec<String>> {
        Ok(self.stacks.lock().unwrap().keys().cloned().collect())
    }
    async fn delete_change_set(&self, _: &str, name: &str, _: &str) -> ApiResult<()> {
        self.call(format!("delete_change_set {name}"));
        Ok(())
    }
    async fn delete_stack(&self, _: &str, name: &str) -> ApiResult<()> {
        self.call(format!("delete_stack {name}"));
        self.stacks.lock().unwrap().remove(name);
        Ok(())
    }
    async fn stack_events(&self, _: &str, name: &str) -> ApiResult<Vec<StackEvent>> {
        let executed = self
            .calls
            .lock()
            .unwrap()
            .contains(&format!("execute {name}"));
        Ok(if executed {
            self.executions
                .lock()
                .unwrap()
                .get(name)
                .map(|e| e.1.clone())
                .unwrap_or_default()
        } else {
            vec![]
        })
    }
    async fn set_termination_protection(&self, _: &str, name: &str, _: bool) -> ApiResult<()> {
        self.call(format!("protect {name}"));
        Ok(())
    }
}

fn job(name: &str, order: u32, depends_on: &[&str]) -> Job {
    Job {
        key: format!("current/us-east-1/{name}"),
        stack_name: name.into(),
        region: "us-east-1".into(),
        order,
        depends_on: depends_on
            .iter()
            .map(|d| format!("current/us-east-1/{d}"))
            .collect(),
        body: format!("Resources: {{}} # {name}"),
        sha256: "0123456789abcdef0123".into(),
        tags: vec![],
        capabilities: vec![],
    }
}

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

fn add(id: &str) -> ResourceChange {
    ResourceChange {
        action: "Add".into(),
        logical_id: id.into(),
        resource_type: "AWS::SNS::Topic".into(),
        replacement: None,
    }
}

#[tokio::test]
async fn a_failed_stack_reports_its_resources_and_stops_its_dependents() {
    let fake = Fake::default();
    fake.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    fake.change_sets
        .lock()
        .unwrap()
        .insert("a-cloudtrail".into(), Ok(vec![add("Trail")]));
    fake.executions.lock().unwrap().insert(
        "a-alerts".into(),
        (
            "ROLLBACK_COMPLETE".into(),
            vec![StackEvent {
                event_id: "e1".into(),
                timestamp: None,
                logical_id: "AlertsKey".into(),
                resource_type: "AWS::KMS::Key".into(),
                status: "CREATE_FAILED".into(),
                reason: Some("AccessDenied: kms:CreateKey".into()),
            }],
        ),
    );
    let api = Arc::new(fake);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let jobs = vec![
        job("a-alerts", 0, &[]),
        job("a-cloudtrail", 1, &["a-alerts"]),
    ];
    let prepared = deploy::prepare(api.clone(), jobs, options(), tx.clone()).await;
    assert!(prepared
        .iter()
        .all(|p| matches!(p.state, Prepared::Pending { .. })));
    let reports = deploy::execute(api.clone(), prepared, options(), tx).await;
    match &reports[0].outcome {
        Outcome::Failed(reason) => {
            assert!(reason.contains("ended in ROLLBACK_COMPLETE"), "{reason}");
            assert!(
                reason.contains("AlertsKey (AWS::KMS::Key): AccessDenied: kms:CreateKey"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        reports[1].outcome,
        Outcome::Skipped("current/us-east-1/a-alerts failed".into())
    );
    assert!(!api
        .calls
        .lock()
        .unwrap()
        .contains(&"execute a-cloudtrail".to_string()));
    let mut events = 0;
    while let Ok(p) = rx.try_recv() {
        events += matches!(p, deploy::Progress::Event { .. }) as usize;
    }
    assert_eq!(events, 1);
}

#[tokio::test]
async fn rollback_complete_needs_replace_failed() {
    let api = Arc::new(Fake::default().with_stack("a-alerts", "ROLLBACK_COMPLETE", "old"));
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(
        api.clone(),
        vec![job("a-alerts", 0, &[])],
        options(),
        tx.clone(),
    )
    .await;
    match &prepared[0].state {
        Prepared::Failed(reason) => {
            assert!(reason.contains("rerun with --replace-failed"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        api.calls.lock().unwrap().is_empty(),
        "nothing may change without --replace-failed"
    );

    api.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    let replace = Options {
        replace_failed: true,
        ..options()
    };
    let prepared = deploy::prepare(
        api.clone(),
        vec![job("a-alerts", 0, &[])],
        replace,
        tx.clone(),
    )
    .await;
    assert!(matches!(
        prepared[0].state,
        Prepared::Pending {
            replaced: true,
            kind: ChangeSetKind::Create,
            ..
        }
    ));
    let reports = deploy::execute(api.clone(), prepared, replace, tx).await;
    assert_eq!(reports[0].outcome, Outcome::Replaced);
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            "delete_stack a-alerts",
            "create_change_set a-alerts",
            "execute a-alerts",
            "protect a-alerts"
        ]
    );
}

#[tokio::test]
async fn both_shapes_of_no_changes_are_success() {
    let fake = Fake::default()
        .with_stack("a-config", "UPDATE_COMPLETE", "different")
        .with_stack("a-guardduty", "UPDATE_COMPLETE", "different");
    fake.change_sets.lock().unwrap().insert(
        "a-config".into(),
        Err("The submitted information didn't contain changes. Submit different information to create a change set.".into()),
    );
    fake.change_sets.lock().unwrap().insert(
        "a-guardduty".into(),
        Err("No updates are to be performed.".into()),
    );
    let api = Arc::new(fake);
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(
        api.clone(),
        vec![job("a-config", 2, &[]), job("a-guardduty", 2, &[])],
        options(),
        tx.clone(),
    )
    .await;
    assert_eq!(prepared[0].state, Prepared::NoChanges);
    assert_eq!(prepared[1].state, Prepared::NoChanges);
    let reports = deploy::execute(api.clone(), prepared, options(), tx).await;
    assert!(reports.iter().all(|r| r.outcome == Outcome::NoChanges));
    assert!(!api
        .calls
        .lock()
        .unwrap()
        .iter()
        .any(|c| c.starts_with("execute")));
}

#[tokio::test]
async fn an_identical_template_creates_no_change_set() {
    let j = job("a-alerts", 0, &[]);
    let api = Arc::new(Fake::default().with_stack("a-alerts", "CREATE_COMPLETE", &j.body));
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![j], options(), tx).await;
    assert_eq!(prepared[0].state, Prepared::Unchanged);
    assert!(api.calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn plan_discards_change_sets_and_new_stack_shells() {
    let api = Arc::new(Fake::default().with_stack("a-alerts", "REVIEW_IN_PROGRESS", ""));
    api.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![job("a-alerts", 0, &[])], options(), tx).await;
    assert!(deploy::discard(api.as_ref(), &prepared).await.is_empty());
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            "create_change_set a-alerts",
            "delete_change_set a-alerts",
            "delete_stack a-alerts"
        ]
    );
}

#[test]
fn capabilities_are_explicit() {
    let t = serde_json::json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}});
    assert_eq!(deploy::capabilities(&t), ["CAPABILITY_IAM"]);
    let t = serde_json::json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}});
    assert_eq!(deploy::capabilities(&t), ["CAPABILITY_NAMED_IAM"]);
    let t = serde_json::json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
    assert!(deploy::capabilities(&t).is_empty());
}
