//! Stack-set operations that fail, wholly or in part, through a scripted fake of the narrow
//! interface (moto's operations always succeed).

use std::sync::Mutex;
use std::time::Duration;

use cfn_baseline::aws::*;
use cfn_baseline::deploy::Options;
use cfn_baseline::plan::Component;
use cfn_baseline::stacksets::{self, Rollout, SetPlan, StackSetSpec};
use tokio::sync::mpsc;

/// Every operation ends with `status` and these per-instance results.
struct Fake {
    status: String,
    results: Vec<OperationResult>,
    calls: Mutex<Vec<String>>,
    /// Instances with their drift status after detection; None: no drift detection.
    drift: Option<Vec<StackInstance>>,
}

impl StackSetApi for Fake {
    async fn describe_stack_set(
        &self,
        _: &StackSetContext,
        _: &str,
    ) -> ApiResult<Option<StackSetState>> {
        Ok(None)
    }
    async fn create_stack_set(&self, _: &StackSetContext, r: &StackSetRequest) -> ApiResult<()> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("create {}", r.name));
        Ok(())
    }
    async fn update_stack_set(
        &self,
        _: &StackSetContext,
        _: &StackSetRequest,
        _: &OperationPreferences,
    ) -> ApiResult<String> {
        Ok("op-update".into())
    }
    async fn stack_instances(&self, _: &StackSetContext, _: &str) -> ApiResult<Vec<StackInstance>> {
        Ok(self.drift.clone().unwrap_or_default())
    }
    async fn create_stack_instances(
        &self,
        _: &StackSetContext,
        _: &str,
        t: &InstanceTargets,
        _: &OperationPreferences,
    ) -> ApiResult<String> {
        self.calls.lock().unwrap().push(format!(
            "instances {}{} x {}",
            t.accounts.join(","),
            t.organizational_units.join(","),
            t.regions.join(",")
        ));
        Ok("op-1".into())
    }
    async fn delete_stack_instances(
        &self,
        _: &StackSetContext,
        _: &str,
        _: &InstanceTargets,
        _: bool,
        _: &OperationPreferences,
    ) -> ApiResult<String> {
        Ok("op-2".into())
    }
    async fn operation(&self, _: &StackSetContext, _: &str, _: &str) -> ApiResult<OperationState> {
        Ok(OperationState {
            status: self.status.as_str().into(),
            reason: (self.status == "FAILED")
                .then(|| "The Operation failed because the failure tolerance was exceeded".into()),
        })
    }
    async fn operation_results(
        &self,
        _: &StackSetContext,
        _: &str,
        _: &str,
    ) -> ApiResult<Vec<OperationResult>> {
        Ok(self.results.clone())
    }
    async fn stack_sets(&self, _: &StackSetContext, _: &str) -> ApiResult<Vec<String>> {
        Ok(vec![])
    }
    async fn delete_stack_set(&self, _: &StackSetContext, _: &str) -> ApiResult<()> {
        Ok(())
    }
    async fn detect_stack_set_drift(&self, _: &StackSetContext, _: &str) -> ApiResult<String> {
        match self.drift {
            Some(_) => Ok("op-drift".into()),
            None => Err(ApiError::Unsupported("DetectStackSetDrift".into())),
        }
    }
    async fn role_exists(&self, _: &str) -> ApiResult<bool> {
        Ok(true)
    }
}

fn result(account: &str, region: &str, status: &str, reason: Option<&str>) -> OperationResult {
    OperationResult {
        account: account.into(),
        region: region.into(),
        status: status.into(),
        reason: reason.map(str::to_string),
    }
}

fn plan() -> SetPlan {
    SetPlan {
        spec: StackSetSpec {
            name: "org-guardduty".into(),
            component: Component::Guardduty,
            order: 2,
            body: "Resources: {}".into(),
            sha256: "0".repeat(64),
            capabilities: vec![],
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
        },
        exists: false,
        template_changed: true,
        add: vec![
            ("111111111111".into(), "eu-west-1".into()),
            ("111111111111".into(), "us-east-1".into()),
            ("222222222222".into(), "eu-west-1".into()),
            ("222222222222".into(), "us-east-1".into()),
        ],
        remove: vec![],
        deployed_body: None,
    }
}

async fn apply(fake: &Fake) -> stacksets::SetReport {
    apply_with(fake, plan(), false).await
}

async fn apply_with(fake: &Fake, p: SetPlan, service_managed: bool) -> stacksets::SetReport {
    let rollout = Rollout {
        ctx: StackSetContext {
            region: "us-east-1".into(),
            call_as: CallAs::SelfAccount,
        },
        preferences: OperationPreferences {
            max_concurrent_percentage: 100,
            failure_tolerance_percentage: 25,
            region_concurrency: RegionConcurrency::Parallel,
            region_order: vec!["us-east-1".into(), "eu-west-1".into()],
        },
        retain_stacks: true,
        service_managed,
        excluded_accounts: vec![],
        options: Options {
            timeout: Duration::from_secs(5),
            ..Options::default()
        },
    };
    let request = StackSetRequest {
        name: p.spec.name.clone(),
        description: "test".into(),
        template_body: p.spec.body.clone(),
        capabilities: vec![],
        tags: vec![],
        permission_model: PermissionModel::SelfManaged,
        auto_deployment: None,
    };
    let (tx, _rx) = mpsc::unbounded_channel();
    stacksets::apply(fake, &rollout, &p, &request, &tx).await
}

#[tokio::test(start_paused = true)]
async fn a_failed_operation_names_every_failed_instance() {
    let fake = Fake {
        status: "FAILED".into(),
        results: vec![
            result("111111111111", "us-east-1", "SUCCEEDED", None),
            result("222222222222", "us-east-1", "FAILED", Some("ResourceLogicalId:Detector, ResourceType:AWS::GuardDuty::Detector, ResourceStatusReason:A detector already exists for the current account.")),
            result("222222222222", "eu-west-1", "CANCELLED", Some("Cancelled since failure tolerance has exceeded")),
        ],
        calls: Mutex::new(vec![]),
        drift: None,
    };
    let report = apply(&fake).await;
    let failure = report.failure.expect("a failure");
    assert!(failure.contains("creating instances ended FAILED (The Operation failed because the failure tolerance was exceeded)"), "{failure}");
    assert!(
        failure.contains("222222222222/us-east-1: ResourceLogicalId:Detector"),
        "{failure}"
    );
    assert_eq!(report.results.len(), 3);
    // All four instances went in one call: both accounts need both regions.
    assert_eq!(
        *fake.calls.lock().unwrap(),
        [
            "create org-guardduty",
            "instances 111111111111,222222222222 x eu-west-1,us-east-1"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn failures_within_the_tolerance_are_still_reported() {
    let fake = Fake {
        status: "SUCCEEDED".into(),
        results: vec![
            result("111111111111", "us-east-1", "SUCCEEDED", None),
            result("222222222222", "eu-west-1", "FAILED", Some("Account 222222222222 should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.")),
        ],
        calls: Mutex::new(vec![]),
        drift: None,
    };
    let report = apply(&fake).await;
    let failure = report.failure.expect("a partial failure is a failure");
    assert!(failure.contains("succeeded within the failure tolerance, but instances failed: 222222222222/eu-west-1: Account 222222222222 should have"), "{failure}");
}

#[test]
fn a_stack_set_refuses_templates_that_differ_between_accounts() {
    let text = "version: 1\nname: org\nhome_region: us-east-1\naccounts: [\"111111111111\", \"222222222222\"]\nalerts: {email: [a@example.com]}\noverrides:\n  - match: {account: \"222222222222\"}\n    guardduty: {finding_frequency: ONE_HOUR}\n";
    let (baseline, _) = cfn_baseline::baseline::load(cfn_baseline::baseline::Source {
        name: "org.yaml".into(),
        text: text.into(),
    })
    .unwrap();
    let stacks = cfn_baseline::render::render_all(
        &baseline,
        &cfn_baseline::render::Renderer::new(None).unwrap(),
    )
    .unwrap();
    let err = stacksets::group(&baseline, &stacks).unwrap_err();
    assert!(
        err.contains(
            "org-guardduty differs between accounts 111111111111 and 222222222222 in us-east-1"
        ),
        "{err}"
    );
}

/// Reordering `regions` renames no stack set: a set of the regions an override makes
/// different is named after its alphabetically first region, not the first listed.
#[test]
fn stack_set_names_do_not_depend_on_the_order_of_regions() {
    let names = |regions: &str| -> Vec<String> {
        let text = format!(
            "version: 1\nname: org\nhome_region: us-east-1\nregions: [{regions}]\n\
             accounts: [\"111111111111\"]\nalerts: {{email: [a@example.com]}}\n\
             overrides:\n  - match: {{region: eu-west-1}}\n    guardduty: {{finding_frequency: ONE_HOUR}}\n\
             \x20 - match: {{region: ap-south-1}}\n    guardduty: {{finding_frequency: ONE_HOUR}}\n\
             deployment: {{mode: stacksets, permission_model: self_managed, accounts: [\"111111111111\"]}}\n"
        );
        let (baseline, _) = cfn_baseline::baseline::load(cfn_baseline::baseline::Source {
            name: "org.yaml".into(),
            text,
        })
        .unwrap();
        let stacks = cfn_baseline::render::render_all(
            &baseline,
            &cfn_baseline::render::Renderer::new(None).unwrap(),
        )
        .unwrap();
        let mut names: Vec<String> = stacksets::group(&baseline, &stacks)
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        names.sort();
        names
    };
    let listed = names("us-east-1, eu-west-1, ap-south-1");
    assert!(
        listed.contains(&"org-guardduty-ap-south-1".to_string()),
        "{listed:?}"
    );
    assert_eq!(listed, names("us-east-1, ap-south-1, eu-west-1"));
}

fn instance(account: &str, region: &str, drift: &str) -> StackInstance {
    StackInstance {
        account: account.into(),
        region: region.into(),
        organizational_unit: None,
        status: "CURRENT".into(),
        reason: None,
        drift_status: Some(drift.into()),
    }
}

#[tokio::test(start_paused = true)]
async fn stack_set_drift_is_reported_per_instance() {
    let ctx = StackSetContext {
        region: "us-east-1".into(),
        call_as: CallAs::SelfAccount,
    };
    let fake = Fake {
        status: "SUCCEEDED".into(),
        results: vec![],
        calls: Mutex::new(vec![]),
        drift: Some(vec![
            instance("111111111111", "us-east-1", "IN_SYNC"),
            instance("222222222222", "us-east-1", "DRIFTED"),
            instance("333333333333", "us-east-1", "NOT_CHECKED"),
        ]),
    };
    let spec = plan().spec;
    let found = stacksets::detect_drift(&fake, &ctx, &spec.name, &Options::default()).await;
    let diffs = stacksets::drift_diffs(&spec, &ctx, found);
    let statuses: Vec<String> = diffs
        .iter()
        .map(|d| format!("{} {}", d.account, d.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            "111111111111 unchanged",
            "222222222222 changed",
            "333333333333 unchanged"
        ]
    );
    assert!(diffs[1].changes[0]
        .explanation
        .contains("access to account 222222222222"));
    assert_eq!(
        diffs[2].not_checked[0].reason,
        "instance drift status NOT_CHECKED"
    );

    // No drift detection at the endpoint: one unchecked entry, never "in sync".
    let none = Fake {
        status: "SUCCEEDED".into(),
        results: vec![],
        calls: Mutex::new(vec![]),
        drift: None,
    };
    let found = stacksets::detect_drift(&none, &ctx, &spec.name, &Options::default()).await;
    let diffs = stacksets::drift_diffs(&spec, &ctx, found);
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0].status.as_str(), "unchecked");
}

#[tokio::test(start_paused = true)]
async fn service_managed_instances_target_organizational_units() {
    let fake = Fake {
        status: "SUCCEEDED".into(),
        results: vec![],
        calls: Mutex::new(vec![]),
        drift: None,
    };
    let mut p = plan();
    p.add = vec![
        ("ou-ab12-cd34ef56".into(), "eu-west-1".into()),
        ("ou-ab12-cd34ef56".into(), "us-east-1".into()),
    ];
    let report = apply_with(&fake, p, true).await;
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(
        *fake.calls.lock().unwrap(),
        [
            "create org-guardduty",
            "instances ou-ab12-cd34ef56 x eu-west-1,us-east-1"
        ]
    );
}

/// `plan` / `deploy --yes` of the organization example in stack-set mode, in-process, as main
/// runs it: (exit code, stdout, stderr).
async fn stack_set_command(fake: Fake, execute: bool) -> (u8, String, String) {
    use cfn_baseline::cli::DiffFormat;
    use cfn_baseline::commands::{self, DeployRun};
    use cfn_baseline::output::{Captured, Printer, Verbosity};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/stacksets.yaml");
    let (baseline, _) = cfn_baseline::baseline::load(cfn_baseline::baseline::Source {
        name: "stacksets.yaml".into(),
        text: std::fs::read_to_string(path).unwrap(),
    })
    .unwrap();
    let stacks = cfn_baseline::render::render_all(
        &baseline,
        &cfn_baseline::render::Renderer::new(None).unwrap(),
    )
    .unwrap();
    let specs = stacksets::group(&baseline, &stacks).unwrap();
    let (out, err) = (Captured::default(), Captured::default());
    let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
    let run = DeployRun {
        execute,
        resume: "cfn-baseline deploy --yes".into(),
        yes: true,
        allow_weakening: false,
        options: Options::default(),
        format: DiffFormat::Text,
        compact: false,
    };
    let result = commands::deploy_stack_sets(
        &mut printer,
        &run,
        &baseline,
        specs,
        std::sync::Arc::new(fake),
        "111111111111",
    )
    .await;
    let code = match result {
        Ok(status) => status.code(),
        Err(e) => {
            printer.error(&format!("{e:#}"));
            1
        }
    };
    (code, out.text(), err.text())
}

fn fake(status: &str, results: Vec<OperationResult>) -> Fake {
    Fake {
        status: status.into(),
        results,
        calls: Mutex::new(vec![]),
        drift: None,
    }
}

#[tokio::test(start_paused = true)]
async fn stack_set_plan_and_deploy_run_in_process() {
    let (code, out, err) = stack_set_command(fake("SUCCEEDED", vec![]), false).await;
    assert_eq!(code, 2, "plan found stack sets to create\n{out}{err}");
    assert!(out.contains("org-alerts  create stack set"), "{out}");
    assert!(err.contains("nothing was changed"), "{err}");

    let ok = vec![
        result("111111111111", "us-east-1", "SUCCEEDED", None),
        result("222222222222", "us-east-1", "SUCCEEDED", None),
    ];
    let (code, out, err) = stack_set_command(fake("SUCCEEDED", ok), true).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("org-alerts  ok"), "{out}");
    assert!(
        out.contains("111111111111"),
        "the matrix lists the accounts\n{out}"
    );

    let failed = vec![
        result("111111111111", "us-east-1", "SUCCEEDED", None),
        result(
            "222222222222",
            "us-east-1",
            "FAILED",
            Some("Account 222222222222 should have 'AWSCloudFormationStackSetExecutionRole' role"),
        ),
    ];
    let (code, out, err) = stack_set_command(fake("FAILED", failed), true).await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("org-alerts  failed"), "{out}");
    assert!(
        err.contains("222222222222/us-east-1: Account 222222222222 should have 'AWSCloudFormationStackSetExecutionRole' role"),
        "{err}"
    );
    assert!(err.contains("later waves were not started"), "{err}");
}

/// A service-managed stack set that exists, with instances deployed through units: what
/// AWS's ListStackInstances reports (each instance's OrganizationalUnitId).
struct Live {
    body: String,
    instances: Vec<StackInstance>,
    deleted: Mutex<Vec<String>>,
}

impl StackSetApi for Live {
    async fn describe_stack_set(
        &self,
        _: &StackSetContext,
        _: &str,
    ) -> ApiResult<Option<StackSetState>> {
        Ok(Some(StackSetState {
            status: "ACTIVE".into(),
            template_body: self.body.clone(),
        }))
    }
    async fn create_stack_set(&self, _: &StackSetContext, _: &StackSetRequest) -> ApiResult<()> {
        Ok(())
    }
    async fn update_stack_set(
        &self,
        _: &StackSetContext,
        _: &StackSetRequest,
        _: &OperationPreferences,
    ) -> ApiResult<String> {
        Ok("op".into())
    }
    async fn stack_instances(&self, _: &StackSetContext, _: &str) -> ApiResult<Vec<StackInstance>> {
        Ok(self.instances.clone())
    }
    async fn create_stack_instances(
        &self,
        _: &StackSetContext,
        _: &str,
        _: &InstanceTargets,
        _: &OperationPreferences,
    ) -> ApiResult<String> {
        Ok("op".into())
    }
    async fn delete_stack_instances(
        &self,
        _: &StackSetContext,
        name: &str,
        t: &InstanceTargets,
        _: bool,
        _: &OperationPreferences,
    ) -> ApiResult<String> {
        self.deleted.lock().unwrap().push(format!(
            "{name}: accounts [{}] units [{}] x {}",
            t.accounts.join(","),
            t.organizational_units.join(","),
            t.regions.join(",")
        ));
        Ok("op".into())
    }
    async fn operation(&self, _: &StackSetContext, _: &str, _: &str) -> ApiResult<OperationState> {
        Ok(OperationState {
            status: "SUCCEEDED".into(),
            reason: None,
        })
    }
    async fn operation_results(
        &self,
        _: &StackSetContext,
        _: &str,
        _: &str,
    ) -> ApiResult<Vec<OperationResult>> {
        Ok(vec![])
    }
    async fn stack_sets(&self, _: &StackSetContext, _: &str) -> ApiResult<Vec<String>> {
        Ok(vec!["org-guardduty".into(), "org-retired".into()])
    }
    async fn delete_stack_set(&self, _: &StackSetContext, _: &str) -> ApiResult<()> {
        Ok(())
    }
    async fn detect_stack_set_drift(&self, _: &StackSetContext, _: &str) -> ApiResult<String> {
        Err(ApiError::Unsupported("DetectStackSetDrift".into()))
    }
    async fn role_exists(&self, _: &str) -> ApiResult<bool> {
        Ok(true)
    }
}

/// Service-managed stack sets follow their units: a unit newly listed gets instances in
/// every region although the regions have other units' instances already (it used to get
/// none, with the plan saying "unchanged"); a unit no longer listed loses its instances; a
/// retired stack set's instances are removed by unit, as AWS requires for service-managed
/// sets (it used to pass account ids).
#[tokio::test(start_paused = true)]
async fn service_managed_stack_sets_follow_their_units() {
    let ctx = StackSetContext {
        region: "us-east-1".into(),
        call_as: CallAs::SelfAccount,
    };
    let spec = plan().spec;
    let deployed = |account: &str, unit: &str, region: &str| StackInstance {
        account: account.into(),
        region: region.into(),
        organizational_unit: Some(unit.into()),
        status: "CURRENT".into(),
        reason: None,
        drift_status: None,
    };
    let live = Live {
        body: spec.body.clone(),
        instances: vec![
            deployed("111111111111", "ou-ab12-aaaaaaaa", "us-east-1"),
            deployed("111111111111", "ou-ab12-aaaaaaaa", "eu-west-1"),
        ],
        deleted: Mutex::new(vec![]),
    };
    let targets = |units: &[&str]| stacksets::Targets {
        accounts: vec![],
        organizational_units: units.iter().map(|u| u.to_string()).collect(),
        excluded_accounts: vec![],
    };
    let pairs = |v: &[(String, String)]| -> Vec<String> {
        v.iter().map(|(t, r)| format!("{t} {r}")).collect()
    };

    let both = stacksets::plan(
        &live,
        &ctx,
        vec![spec.clone()],
        &targets(&["ou-ab12-aaaaaaaa", "ou-ab12-bbbbbbbb"]),
    )
    .await
    .unwrap();
    assert_eq!(
        pairs(&both[0].add),
        ["ou-ab12-bbbbbbbb eu-west-1", "ou-ab12-bbbbbbbb us-east-1"]
    );
    assert!(both[0].remove.is_empty());
    assert!(both[0].changes(), "a new unit is a change");

    let moved = stacksets::plan(
        &live,
        &ctx,
        vec![spec.clone()],
        &targets(&["ou-ab12-bbbbbbbb"]),
    )
    .await
    .unwrap();
    assert_eq!(
        pairs(&moved[0].remove),
        ["ou-ab12-aaaaaaaa eu-west-1", "ou-ab12-aaaaaaaa us-east-1"]
    );

    let retired = stacksets::retired(&live, &ctx, "org", &[spec], true)
        .await
        .unwrap();
    assert_eq!(retired.len(), 1);
    let rollout = Rollout {
        ctx: ctx.clone(),
        preferences: OperationPreferences {
            max_concurrent_percentage: 100,
            failure_tolerance_percentage: 0,
            region_concurrency: RegionConcurrency::Parallel,
            region_order: vec!["us-east-1".into(), "eu-west-1".into()],
        },
        retain_stacks: true,
        service_managed: true,
        excluded_accounts: vec![],
        options: Options::default(),
    };
    let (tx, _rx) = mpsc::unbounded_channel();
    let report = stacksets::retire(&live, &rollout, &retired[0], &tx).await;
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(
        *live.deleted.lock().unwrap(),
        ["org-retired: accounts [] units [ou-ab12-aaaaaaaa] x eu-west-1,us-east-1"]
    );
}
