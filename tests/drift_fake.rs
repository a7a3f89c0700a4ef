//! The drift state machine on a scripted fake of the narrow interface: stacks that are not
//! deployed, detection that cannot start, detection that fails part-way, and how each is
//! reported (never as "in sync").

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cfn_baseline::aws::*;
use cfn_baseline::deploy::{Job, Options};
use cfn_baseline::diff::{Action, Impact, StackStatus};
use cfn_baseline::drift::{self, Checked};
use cfn_baseline::template::Template;
use tokio::sync::mpsc;

const BODY: &str = "Metadata: {cfn-baseline: {component: cloudtrail}}\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {IsLogging: true, IsMultiRegionTrail: true}\n  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n";

#[derive(Default)]
struct Fake {
    /// Stack name -> deployed.
    stacks: HashMap<String, bool>,
    /// Stack name -> error DetectStackDrift answers.
    refuse: HashMap<String, ApiError>,
    /// Status answers, in order, then the last one forever.
    statuses: Mutex<Vec<DriftDetection>>,
    drifts: Vec<ResourceDrift>,
}

impl StackApi for Fake {
    async fn describe_stack(&self, _: &str, name: &str) -> ApiResult<Option<StackState>> {
        Ok(self.stacks.get(name).filter(|d| **d).map(|_| StackState {
            stack_id: format!("id/{name}"),
            status: "UPDATE_COMPLETE".into(),
            status_reason: None,
            tags: vec![],
        }))
    }
    async fn get_template(&self, _: &str, _: &str) -> ApiResult<String> {
        Ok(BODY.into())
    }
    async fn create_change_set(&self, _: &ChangeSetRequest) -> ApiResult<String> {
        unreachable!("drift detection creates no change sets")
    }
    async fn describe_change_set(&self, _: &str, _: &str, _: &str) -> ApiResult<ChangeSetState> {
        unreachable!()
    }
    async fn execute_change_set(&self, _: &str, _: &str, _: &str) -> ApiResult<()> {
        unreachable!()
    }
    async fn delete_change_set(&self, _: &str, _: &str, _: &str) -> ApiResult<()> {
        unreachable!()
    }
    async fn delete_stack(&self, _: &str, _: &str) -> ApiResult<()> {
        unreachable!()
    }
    async fn stack_events(&self, _: &str, _: &str) -> ApiResult<Vec<StackEvent>> {
        Ok(vec![])
    }
    async fn stacks(&self, _: &str) -> ApiResult<Vec<(String, StackState)>> {
        Ok(vec![])
    }
    async fn set_termination_protection(&self, _: &str, _: &str, _: bool) -> ApiResult<()> {
        Ok(())
    }
}

impl DriftApi for Fake {
    async fn detect_stack_drift(&self, _: &str, name: &str) -> ApiResult<String> {
        match self.refuse.get(name) {
            Some(e) => Err(e.clone()),
            None => Ok(format!("d/{name}")),
        }
    }
    async fn drift_detection_status(&self, _: &str, _: &str) -> ApiResult<DriftDetection> {
        let mut s = self.statuses.lock().unwrap();
        Ok(if s.len() > 1 {
            s.remove(0)
        } else {
            s[0].clone()
        })
    }
    async fn resource_drifts(&self, _: &str, _: &str) -> ApiResult<Vec<ResourceDrift>> {
        Ok(self.drifts.clone())
    }
}

fn job(name: &str) -> Job {
    Job {
        key: format!("current/us-east-1/{name}"),
        stack_name: name.into(),
        region: "us-east-1".into(),
        order: 1,
        depends_on: vec![],
        body: BODY.into(),
        sha256: "0123456789abcdef".into(),
        tags: vec![],
        capabilities: vec![],
        adoption: None,
        deployed: None,
        component: cfn_baseline::plan::Component::Guardduty,
        template: cfn_baseline::template::Template::shared(serde_json::json!({"Resources": {}})),
    }
}

fn detection(status: &str, reason: Option<&str>) -> DriftDetection {
    DriftDetection {
        status: status.into(),
        reason: reason.map(str::to_string),
        stack_drift_status: None,
    }
}

#[tokio::test(start_paused = true)]
async fn every_way_a_stack_cannot_be_checked_is_reported() {
    let fake = Fake {
        stacks: [("deployed", true), ("refused", true)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        refuse: [(
            "refused".to_string(),
            ApiError::Api {
                code: "AccessDenied".into(),
                message: "not authorized to perform cloudformation:DetectStackDrift".into(),
            },
        )]
        .into(),
        statuses: Mutex::new(vec![
            detection("DETECTION_IN_PROGRESS", None),
            detection(
                "DETECTION_FAILED",
                Some("Failed to detect drift on resource [Recorder]"),
            ),
        ]),
        drifts: vec![ResourceDrift {
            logical_id: "Trail".into(),
            resource_type: "AWS::CloudTrail::Trail".into(),
            status: "MODIFIED".into(),
            differences: vec![PropertyDifference {
                path: "/IsLogging".into(),
                expected: Some("true".into()),
                actual: Some("false".into()),
                kind: "NOT_EQUAL".into(),
            }],
        }],
    };
    let (tx, _rx) = mpsc::unbounded_channel();
    let options = Options {
        timeout: Duration::from_secs(5),
        ..Options::default()
    };
    let checks = drift::detect(
        Arc::new(fake),
        vec![job("deployed"), job("refused"), job("missing")],
        options,
        tx,
    )
    .await;
    let rendered = Template::parse(BODY).unwrap().value;
    let diffs: Vec<_> = checks
        .iter()
        .map(|c| drift::stack_diff(c, "111111111111", &rendered))
        .collect();

    // Partly failed detection: the drift it found, plus what it could not check.
    assert!(matches!(
        checks[0].checked,
        Checked::Drifts {
            detection_failed: Some(_),
            ..
        }
    ));
    assert_eq!(diffs[0].status, StackStatus::Changed);
    assert_eq!(diffs[0].changes[0].target(), "Trail.Properties.IsLogging");
    assert_eq!(diffs[0].changes[0].impact, Impact::Weakening);
    let reasons: Vec<String> = diffs[0]
        .not_checked
        .iter()
        .map(|n| n.reason.clone())
        .collect();
    assert_eq!(
        reasons,
        [
            "drift detection failed for part of the stack: Failed to detect drift on resource [Recorder]",
            "no drift result was returned for it",
        ]
    );
    assert_eq!(
        diffs[0].not_checked[1].resource.as_deref(),
        Some("Recorder")
    );

    // Detection refused: the whole stack is unchecked, with the reason.
    assert_eq!(diffs[1].status, StackStatus::Unchecked);
    assert!(
        diffs[1].not_checked[0].reason.contains("AccessDenied"),
        "{:?}",
        diffs[1].not_checked
    );

    // Not deployed: the component is missing, which weakens.
    assert_eq!(diffs[2].status, StackStatus::Removed);
    assert_eq!(diffs[2].changes[0].action, Action::Removed);
    assert_eq!(diffs[2].changes[0].impact, Impact::Weakening);
    assert!(diffs[2].changes[0]
        .explanation
        .starts_with("the stack is not deployed"));
}
