//! The deploy state machine on paths the emulator cannot produce, driven through a scripted
//! fake of the narrow CloudFormation interface.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cfn_baseline::aws::*;
use cfn_baseline::deploy::{self, FailureKind, Job, Options, Outcome, Prepared};
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
    /// Create change sets make REVIEW_IN_PROGRESS shells.
    shells: bool,
    /// Operation -> how many more calls answer Throttled.
    throttle: Mutex<HashMap<&'static str, usize>>,
    /// Stack name -> (describes left, status it then reaches): a stack already in progress.
    settle: Mutex<HashMap<String, (usize, String)>>,
    /// UpdateTerminationProtection answers this error.
    protection_error: Mutex<Option<ApiError>>,
}

impl Fake {
    fn call(&self, c: String) {
        self.calls.lock().unwrap().push(c);
    }
    fn throttled(&self, operation: &'static str) -> ApiResult<()> {
        let mut t = self.throttle.lock().unwrap();
        match t.get_mut(operation) {
            Some(n) if *n > 0 => {
                *n -= 1;
                self.call(format!("throttled {operation}"));
                Err(ApiError::Throttled("Rate exceeded".into()))
            }
            _ => Ok(()),
        }
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
        self.throttled("describe_stack")?;
        if let Some((left, status)) = self.settle.lock().unwrap().get_mut(name) {
            if *left == 0 {
                if let Some(s) = self.stacks.lock().unwrap().get_mut(name) {
                    s.status = status.as_str().into();
                }
            } else {
                *left -= 1;
            }
        }
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
        self.throttled("create_change_set")?;
        self.call(format!("create_change_set {}", r.stack_name));
        if let Some(Err(reason)) = self.change_sets.lock().unwrap().get(&r.stack_name) {
            if reason.starts_with("No updates") {
                return Err(ApiError::NoChanges(reason.clone()));
            }
        }
        // A create change set makes an empty shell, as CloudFormation does.
        if r.kind == ChangeSetKind::Create && self.shells {
            self.stacks
                .lock()
                .unwrap()
                .entry(r.stack_name.clone())
                .or_insert_with(|| StackState {
                    stack_id: format!("id/{}", r.stack_name),
                    status: StackStatus::ReviewInProgress,
                    status_reason: None,
                    tags: vec![],
                });
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
                ..Default::default()
            },
            Err(reason) => ChangeSetState {
                id: id.into(),
                status: "FAILED".into(),
                status_reason: Some(reason),
                changes: vec![],
                ..Default::default()
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
                status: status.as_str().into(),
                status_reason: None,
                tags: vec![],
            },
        );
        Ok(())
    }
    async fn stacks(&self, _: &str) -> ApiResult<Vec<(String, StackState)>> {
        self.call("stacks".into());
        Ok(self
            .stacks
            .lock()
            .unwrap()
            .iter()
            .map(|(n, s)| (n.clone(), s.clone()))
            .collect())
    }
    async fn delete_change_set(&self, _: &str, name: &str, id: &str) -> ApiResult<()> {
        // By name (abandon), say which; by id (discard), the stack is enough.
        if id.starts_with("cfn-baseline-") {
            self.call(format!("delete_change_set {name} {id}"));
        } else {
            self.call(format!("delete_change_set {name}"));
        }
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
        match self.protection_error.lock().unwrap().clone() {
            Some(e) => Err(e),
            None => Ok(()),
        }
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
        body: format!("Resources: {{}} # {name}").into(),
        sha256: "0123456789abcdef0123".into(),
        tags: vec![],
        capabilities: vec![],
        adoption: None,
        deployed: None,
        component: cfn_baseline::plan::Component::Guardduty,
        template: cfn_baseline::template::Template::shared(serde_json::json!({"Resources": {}})),
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
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
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
        Outcome::Failed(failure) => {
            assert!(
                matches!(&failure.kind, FailureKind::Ended { status, .. } if *status == StackStatus::RollbackComplete),
                "{failure:?}"
            );
            let reason = failure.to_string();
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
        events += matches!(p, cfn_baseline::fanout::Progress::Event { .. }) as usize;
    }
    assert_eq!(events, 1);
}

#[tokio::test(start_paused = true)]
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
        Prepared::Failed(failure) => {
            assert_eq!(
                failure.kind,
                FailureKind::FailedCreate {
                    status: StackStatus::RollbackComplete
                }
            );
            let reason = failure.to_string();
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
        replace.clone(),
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

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
async fn an_identical_template_creates_no_change_set() {
    let j = job("a-alerts", 0, &[]);
    let api = Arc::new(Fake::default().with_stack("a-alerts", "CREATE_COMPLETE", &j.body));
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![j], options(), tx).await;
    assert_eq!(prepared[0].state, Prepared::Unchanged);
    assert!(api.calls.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn plan_discards_change_sets_and_new_stack_shells() {
    let api = Arc::new(Fake {
        shells: true,
        ..Fake::default()
    });
    api.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![job("a-alerts", 0, &[])], options(), tx).await;
    assert!(
        deploy::discard(api.as_ref(), &prepared, &Default::default())
            .await
            .is_empty()
    );
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            "create_change_set a-alerts",
            "delete_change_set a-alerts",
            "delete_stack a-alerts"
        ]
    );
    assert!(api.stacks.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_empty_shell_left_by_an_interrupted_run_is_removed_before_the_create() {
    let api = Arc::new(Fake::default().with_stack("a-alerts", "REVIEW_IN_PROGRESS", ""));
    api.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![job("a-alerts", 0, &[])], options(), tx).await;
    assert!(
        matches!(
            prepared[0].state,
            Prepared::Pending {
                kind: ChangeSetKind::Create,
                ..
            }
        ),
        "{:?}",
        prepared[0].state
    );
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        ["delete_stack a-alerts", "create_change_set a-alerts"]
    );
}

#[test]
fn capabilities_are_explicit() {
    let t = serde_json::json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}});
    assert_eq!(deploy::capabilities(&t), [Capability::Iam]);
    let t = serde_json::json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}});
    assert_eq!(deploy::capabilities(&t), [Capability::NamedIam]);
    let t = serde_json::json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
    assert!(deploy::capabilities(&t).is_empty());
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_with_backoff() {
    let fake = Fake::default();
    fake.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    fake.throttle
        .lock()
        .unwrap()
        .extend([("describe_stack", 3), ("create_change_set", 2)]);
    let api = Arc::new(fake);
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(
        api.clone(),
        vec![job("a-alerts", 0, &[])],
        options(),
        tx.clone(),
    )
    .await;
    assert!(
        matches!(prepared[0].state, Prepared::Pending { .. }),
        "{:?}",
        prepared[0].state
    );
    // Following the stack is throttled too, and still settles.
    api.throttle.lock().unwrap().insert("describe_stack", 2);
    let reports = deploy::execute(api.clone(), prepared, options(), tx).await;
    assert_eq!(reports[0].outcome, Outcome::Created);
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("throttled")).count(),
        7,
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| *c == "create_change_set a-alerts")
            .count(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_that_does_not_stop_fails_with_the_reason() {
    let fake = Fake::default();
    fake.throttle.lock().unwrap().insert("describe_stack", 1000);
    let api = Arc::new(fake);
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![job("a-alerts", 0, &[])], options(), tx).await;
    match &prepared[0].state {
        Prepared::Failed(failure) => {
            let reason = failure.to_string();
            assert!(
                reason.contains("describing a-alerts in us-east-1: throttled: Rate exceeded"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(!api
        .calls
        .lock()
        .unwrap()
        .iter()
        .any(|c| c.starts_with("create_change_set")));
}

#[tokio::test(start_paused = true)]
async fn refused_termination_protection_is_reported_not_fatal() {
    let fake = Fake::default();
    fake.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    *fake.protection_error.lock().unwrap() = Some(ApiError::Api {
        code: "AccessDenied".into(),
        message: "not authorized to perform cloudformation:UpdateTerminationProtection".into(),
    });
    let api = Arc::new(fake);
    let (tx, _rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(
        api.clone(),
        vec![job("a-alerts", 0, &[])],
        options(),
        tx.clone(),
    )
    .await;
    let reports = deploy::execute(api.clone(), prepared, options(), tx).await;
    assert_eq!(reports[0].outcome, Outcome::Created);
    match &reports[0].protected {
        Some(Err(e)) => assert!(e.contains("AccessDenied"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn abandon_deletes_change_sets_by_name_and_empty_new_stacks() {
    let fake = Fake::default()
        .with_stack("new-stack", "REVIEW_IN_PROGRESS", "")
        .with_stack("old-stack", "UPDATE_COMPLETE", "Resources: {}");
    let problems = deploy::abandon(
        &fake,
        &[
            job("new-stack", 0, &[]),
            job("old-stack", 0, &[]),
            job("absent", 0, &[]),
        ],
        &Default::default(),
    )
    .await;
    assert!(problems.is_empty(), "{problems:?}");
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            // The deploy change set, the drift-aware one of `drift --reapply` and the import
            // that adopts what exists, by name.
            "delete_change_set new-stack cfn-baseline-0123456789ab",
            "delete_change_set new-stack cfn-baseline-revert-0123456789ab",
            "delete_change_set new-stack cfn-baseline-import-0123456789ab",
            "delete_stack new-stack",
            "delete_change_set old-stack cfn-baseline-0123456789ab",
            "delete_change_set old-stack cfn-baseline-revert-0123456789ab",
            "delete_change_set old-stack cfn-baseline-import-0123456789ab",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_stack_already_in_progress_is_waited_for() {
    let fake = Fake::default().with_stack("a-alerts", "UPDATE_IN_PROGRESS", "Resources: {} # old");
    fake.settle
        .lock()
        .unwrap()
        .insert("a-alerts".into(), (2, "UPDATE_COMPLETE".into()));
    fake.change_sets
        .lock()
        .unwrap()
        .insert("a-alerts".into(), Ok(vec![add("Topic")]));
    let api = Arc::new(fake);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let prepared = deploy::prepare(api.clone(), vec![job("a-alerts", 0, &[])], options(), tx).await;
    match &prepared[0].state {
        Prepared::Pending { kind, .. } => assert_eq!(*kind, ChangeSetKind::Update),
        other => panic!("{other:?}"),
    }
    let mut waited = false;
    while let Ok(p) = rx.try_recv() {
        if let cfn_baseline::fanout::Progress::Status { text, .. } = p {
            waited |= text == "waiting: the stack is UPDATE_IN_PROGRESS";
        }
    }
    assert!(waited, "no progress said it was waiting");
}

#[tokio::test(start_paused = true)]
async fn a_stack_that_stays_in_progress_stops_with_a_clear_message() {
    let fake = Fake::default().with_stack("a-alerts", "UPDATE_IN_PROGRESS", "Resources: {}");
    let api = Arc::new(fake);
    let (tx, _rx) = mpsc::unbounded_channel();
    let options = Options {
        timeout: Duration::from_millis(500),
        ..Options::default()
    };
    let prepared = deploy::prepare(api.clone(), vec![job("a-alerts", 0, &[])], options, tx).await;
    match &prepared[0].state {
        Prepared::Failed(failure) => {
            assert!(
                matches!(failure.kind, FailureKind::StillInProgress { .. }),
                "{failure:?}"
            );
            let reason = failure.to_string();
            assert!(
                reason.contains("a-alerts in us-east-1 is still UPDATE_IN_PROGRESS")
                    && reason.contains("try again later"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(!api
        .calls
        .lock()
        .unwrap()
        .iter()
        .any(|c| c.starts_with("create_change_set")));
}
