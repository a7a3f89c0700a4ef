//! The offline commands as a user runs them: exit codes, messages, files written.

mod support;

use std::fs;
use std::path::Path;

use support::*;

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn render_without_a_baseline_uses_the_builtin_default_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("using the built-in default baseline"),
        "{}",
        stderr(&out)
    );
    let files = files_under(&dir.path().join("out"));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "current/us-east-1/baseline-access-analyzer.yaml",
            "current/us-east-1/baseline-alerts.yaml",
            "current/us-east-1/baseline-cloudtrail.yaml",
            "current/us-east-1/baseline-config.yaml",
            "current/us-east-1/baseline-guardduty.yaml",
            "current/us-east-1/baseline-patching.yaml",
            "current/us-east-1/baseline-securityhub.yaml",
            "manifest.json",
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("out/manifest.json")).unwrap()).unwrap();
    let stacks = manifest["stacks"].as_array().unwrap();
    assert_eq!(stacks.len(), 7);
    for s in stacks {
        let body = fs::read(dir.path().join("out").join(s["path"].as_str().unwrap())).unwrap();
        assert_eq!(s["sha256"], cfn_baseline::plan::sha256_hex(&body));
    }
    assert_eq!(stacks[0]["component"], "alerts");
    assert_eq!(stacks[1]["component"], "cloudtrail");
    assert_eq!(
        stacks[1]["depends_on"][0],
        "current/us-east-1/baseline-alerts"
    );
}

#[test]
fn repeated_renders_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/multi-region.yaml");
    let example = example.to_str().unwrap();
    assert!(run_in(dir.path(), &["render", example, "--out", "a"])
        .status
        .success());
    assert!(run_in(dir.path(), &["render", example, "--out", "b"])
        .status
        .success());
    // Rendering over a previous render replaces it.
    assert!(run_in(dir.path(), &["render", example, "--out", "a"])
        .status
        .success());
    let a = files_under(&dir.path().join("a"));
    assert_eq!(a, files_under(&dir.path().join("b")));
    // 19 stacks (patching and access analyzer stacks per region) and the manifest.
    assert_eq!(a.len(), 20);
}

#[test]
fn validate_reports_located_errors_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("baseline.yaml"),
        "version: 1\nname: acme\nhome_region: us-east-1\nguardduty: {enabeld: false}\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("baseline.yaml:4:13: error: guardduty: unknown key `enabeld`"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `enabled`?"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
}

#[test]
fn validate_accepts_every_example() {
    let dir = tempfile::tempdir().unwrap();
    for (_, path) in shipped_baselines() {
        let out = run_in(dir.path(), &["validate", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains(": valid;"), "{}", stderr(&out));
    }
}

#[test]
fn validate_counts_the_members_of_stack_set_units_apart() {
    let dir = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/organization-stacksets.yaml");
    let out = run_in(dir.path(), &["validate", example.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "valid; 33 stacks in 2 regions of 3 accounts and the accounts of ou-a1b2-workload1, ou-a1b2-sandbox01"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_baseline_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.yaml"), "version: 1\nname: acme\n").unwrap();
    let out = run_in(dir.path(), &["render", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing required key `home_region`"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_failing_template_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("tpl");
    fs::create_dir(&templates).unwrap();
    // A custom template that references a value the baseline does not provide.
    fs::write(
        templates.join("securityhub.yaml.hbs"),
        "Resources:\n  Hub:\n    Type: AWS::SecurityHub::Hub\n    Properties:\n      Tags: {{q securityhub.no_such_key}}\n",
    )
    .unwrap();
    // And a previous render that must survive untouched.
    assert!(run_in(dir.path(), &["render"]).status.success());
    let before = files_under(&dir.path().join("out"));
    let out = run_in(dir.path(), &["--templates", "tpl", "render"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("securityhub.yaml.hbs"), "{err}");
    assert!(err.contains("line 5"), "{err}");
    assert!(err.contains("securityhub.no_such_key"), "{err}");
    assert_eq!(before, files_under(&dir.path().join("out")));
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_custom_template_that_breaks_service_rules_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("tpl");
    fs::create_dir(&templates).unwrap();
    fs::write(
        templates.join("guardduty.yaml.hbs"),
        "Resources:\n  Detector:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n      Features:\n        - {Name: EKS_RUNTIME_MONITORING, Status: ENABLED}\n        - {Name: RUNTIME_MONITORING, Status: ENABLED}\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["--templates", "tpl", "render"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("EKS_RUNTIME_MONITORING and RUNTIME_MONITORING cannot both be listed"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn render_refuses_to_replace_a_directory_that_is_not_a_render() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/notes.txt"), "mine").unwrap();
    let out = run_in(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a cfn-baseline render"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("out/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn render_one_stack_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/multi-region.yaml");
    let example = example.to_str().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "--region",
            "eu-central-1",
            "render",
            example,
            "--stack",
            "acme-guardduty",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("AWS::GuardDuty::Detector"));
    assert!(!dir.path().join("out").exists());

    let out = run_in(
        dir.path(),
        &["render", example, "--stack", "acme-guardduty"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exists in 3 places"),
        "{}",
        stderr(&out)
    );

    let out = run_in(dir.path(), &["render", example, "--stack", "acme-nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("stacks are: acme-access-analyzer, acme-alerts, acme-cloudtrail"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_writes_a_valid_baseline_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = fs::read_to_string(dir.path().join("baseline.yaml")).unwrap();
    assert_eq!(
        written,
        format!(
            "{}{}",
            cfn_baseline::baseline::modeline(),
            cfn_baseline::baseline::DEFAULT_BASELINE
        )
    );
    assert!(written.contains("# "), "the starter file is commented");

    fs::write(dir.path().join("baseline.yaml"), "mine").unwrap();
    let out = run_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists; pass --force"));
    assert_eq!(
        fs::read_to_string(dir.path().join("baseline.yaml")).unwrap(),
        "mine"
    );

    let out = run_in(dir.path(), &["init", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn help_documents_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["--help"]);
    let text = stdout(&out);
    for line in [
        "0  success",
        "1  error",
        "2  plan/diff/drift found differences",
        "3  a change weakens security",
        "130  interrupted by Ctrl-C",
        "Only the offline commands (render, validate,\npermissions) fall back",
    ] {
        assert!(text.contains(line), "{text}");
    }
}

#[test]
fn the_commands_that_reach_aws_never_fall_back_to_the_builtin_default() {
    // A directory without baseline.yaml: the built-in default's stacks (`baseline-*`) could
    // replace a user's live ones, so every AWS command stops before any call (the endpoint
    // answers nothing, so a call would fail differently).
    let dir = tempfile::tempdir().unwrap();
    let endpoint = ["--endpoint-url", "http://127.0.0.1:9"];
    for command in [
        vec!["plan"],
        vec!["deploy", "--yes"],
        vec!["deploy", "--yes", "--allow-weakening"],
        vec!["diff"],
        vec!["drift"],
        vec!["drift", "--reapply", "--yes"],
        vec!["alerts", "test", "--yes"],
    ] {
        let args: Vec<&str> = endpoint.iter().copied().chain(command.clone()).collect();
        let out = run_in(dir.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {err}");
        assert!(
            err.contains("no baseline: no BASELINE was named and there is no ./baseline.yaml")
                && err.contains("cfn-baseline init"),
            "{command:?}: {err}"
        );
        assert!(
            !err.contains("using the built-in default baseline"),
            "{command:?}: {err}"
        );
    }
    // The offline commands still do, and say so.
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("using the built-in default baseline"));
}

#[test]
fn a_missing_baseline_file_is_named_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    for command in [["plan", "acme.yaml"], ["validate", "acme.yaml"]] {
        let out = run_in(dir.path(), &command);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("cannot read baseline acme.yaml")
                && err.contains("nothing was changed")
                && err.contains("`cfn-baseline init acme.yaml`"),
            "{err}"
        );
    }
}

#[test]
fn a_mistyped_region_flag_stops_with_the_likely_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "--region",
            "us-east1",
            "render",
            "--stack",
            "baseline-alerts",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--region us-east1: unknown region; nothing was changed")
            && err.contains("did you mean `--region us-east-1`?"),
        "{err}"
    );
}

#[test]
fn validate_names_what_makes_a_template_too_large_for_aws() {
    // 400 subscribers: a body over CloudFormation's 51,200-byte inline limit.
    let dir = tempfile::tempdir().unwrap();
    let emails: Vec<String> = (0..400).map(|i| format!("person{i}@example.com")).collect();
    fs::write(
        dir.path().join("baseline.yaml"),
        format!(
            "version: 1\nname: acme\nhome_region: us-east-1\nalerts: {{email: [{}]}}\n",
            emails.join(", ")
        ),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("CloudFormation accepts at most 51200 inline")
            && err.contains("AWS::SNS::Subscription resource(s)")
            && err.contains("hint: subscribe a shared address"),
        "{err}"
    );

    // 250 suppressions: an event pattern over EventBridge's default 2,048 characters.
    let suppress: Vec<String> = (0..250).map(|i| format!("EC2.{}", i + 1)).collect();
    fs::write(
        dir.path().join("baseline.yaml"),
        format!(
            "version: 1\nname: acme\nhome_region: us-east-1\nalerts: {{email: [a@example.com], suppress: [{}]}}\n",
            suppress.join(", ")
        ),
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("EventBridge accepts at most 2048 (its default quota)")
            && err.contains("hint: fewer entries in alerts.suppress"),
        "{err}"
    );
}

/// The workflows this repository runs and the ones its docs tell users to copy.
fn workflows() -> Vec<std::path::PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [".github/workflows", "docs/workflows"] {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs actionlint and zizmor (offline, regular persona) on `files`: (each's exit code,
/// what they printed).
fn lint_workflows(files: &[std::path::PathBuf]) -> Vec<(i32, String)> {
    ["actionlint", "zizmor"]
        .into_iter()
        .map(|tool| {
            let mut command = std::process::Command::new(workflow_linter(tool));
            if tool == "zizmor" {
                command.args(["--offline", "--no-progress"]);
            }
            let out = command.args(files).output().expect("the linter runs");
            (
                out.status.code().unwrap_or(-1),
                format!("{tool}:\n{}{}", stdout(&out), stderr(&out)),
            )
        })
        .collect()
}

#[test]
fn every_workflow_passes_actionlint_and_zizmor() {
    let files = workflows();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(repo_root()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            ".github/workflows/ci.yml",
            ".github/workflows/release.yml",
            "docs/workflows/baseline-diff.yml",
            "docs/workflows/baseline-drift.yml",
        ]
    );
    for (code, text) in lint_workflows(&files) {
        assert_eq!(code, 0, "{text}");
    }
    // The guides show the recipes whole, as they are linted here.
    for (guide, recipe) in [
        (
            "docs/guides/pull-request-review.md",
            "docs/workflows/baseline-diff.yml",
        ),
        ("docs/guides/drift.md", "docs/workflows/baseline-drift.yml"),
    ] {
        let shown = fs::read_to_string(repo_root().join(guide)).unwrap();
        let file = fs::read_to_string(repo_root().join(recipe)).unwrap();
        assert!(
            shown.contains(&format!("```yaml\n{file}```\n")),
            "{guide} shows {recipe} as it is"
        );
    }
    // CI runs the README's test command, nothing weaker.
    let ci = fs::read_to_string(repo_root().join(".github/workflows/ci.yml")).unwrap();
    assert!(ci.contains("run: scripts/test\n"), "{ci}");
}

#[test]
fn the_workflow_linters_catch_what_they_are_about() {
    // Guards the test above against linters that pass everything: an action by tag, a
    // checkout that keeps its credentials, a pull request's value expanded in a script, and
    // a runner that does not exist.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    fs::write(
        &bad,
        "on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-18.10\n    steps:\n      \
         - uses: actions/checkout@v4\n      - run: echo \"${{ github.event.pull_request.title }}\"\n",
    )
    .unwrap();
    let results = lint_workflows(&[bad]);
    let (actionlint, zizmor) = (&results[0], &results[1]);
    assert_ne!(actionlint.0, 0, "{}", actionlint.1);
    assert!(actionlint.1.contains("ubuntu-18.10"), "{}", actionlint.1);
    assert_ne!(zizmor.0, 0, "{}", zizmor.1);
    for audit in ["unpinned-uses", "artipacked", "template-injection"] {
        assert!(zizmor.1.contains(audit), "{audit}: {}", zizmor.1);
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let bash = run_in(dir.path(), &["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0), "{}", stderr(&bash));
    let text = stdout(&bash);
    assert!(text.contains("_cfn__baseline()"), "{text}");
    assert!(text.contains("--allow-weakening"), "every flag: {text}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = run_in(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("cfn-baseline"), "{shell}");
    }
    let man = run_in(dir.path(), &["completions", "man"]);
    assert_eq!(man.status.code(), Some(0), "{}", stderr(&man));
    let page = stdout(&man);
    assert!(page.contains(".TH cfn-baseline 1"), "{page}");
    assert!(page.contains("130"), "the exit codes: {page}");
    let unknown = run_in(dir.path(), &["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2), "clap's usage error");
}

/// `permissions` prints managed policies IAM accepts, with what this baseline needs and
/// nothing it does not: no wildcard action, the baseline's own roles passed by name, stack
/// sets and organization calls only for baselines that use them, and `--for plan` nothing
/// that changes what is deployed.
#[test]
fn permissions_prints_what_the_baseline_needs_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let actions_of = |example: &str, extra: &[&str]| -> (Vec<serde_json::Value>, Vec<String>) {
        let path = repo_root().join(format!("examples/{example}.yaml"));
        let mut args = vec!["permissions", path.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let documents: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
        let again = run_in(dir.path(), &args);
        assert_eq!(
            out.stdout, again.stdout,
            "the same baseline prints the same policy"
        );
        let mut actions = Vec::new();
        for d in &documents {
            assert_eq!(d["Version"], "2012-10-17");
            let size = serde_json::to_string(d).unwrap().len();
            assert!(size <= 6144, "{example}: a document of {size} characters");
            for s in d["Statement"].as_array().unwrap() {
                assert_eq!(s["Effect"], "Allow");
                for a in s["Action"].as_array().unwrap() {
                    let a = a.as_str().unwrap().to_string();
                    assert!(!a.contains('*'), "{example}: wildcard action {a}");
                    actions.push(a);
                }
            }
        }
        (documents, actions)
    };

    let (documents, single) = actions_of("single-account", &[]);
    for needed in [
        "sts:GetCallerIdentity",
        "cloudformation:CreateChangeSet",
        "cloudformation:ExecuteChangeSet",
        "guardduty:CreateDetector",
        "securityhub:BatchUpdateStandardsControlAssociations",
        "iam:UpdateAccountPasswordPolicy",
        "ec2:EnableEbsEncryptionByDefault",
        "sns:Publish",
        "iam:PassRole",
    ] {
        assert!(
            single.contains(&needed.to_string()),
            "single-account lacks {needed}"
        );
    }
    for unneeded in [
        "cloudformation:CreateStackSet",
        "organizations:RegisterDelegatedAdministrator",
        "macie2:EnableMacie",
        "shield:CreateProtection",
        "wafv2:CreateWebACL",
    ] {
        assert!(
            !single.contains(&unneeded.to_string()),
            "single-account has {unneeded}"
        );
    }
    let pass_role = documents
        .iter()
        .flat_map(|d| d["Statement"].as_array().unwrap().iter())
        .find(|s| s["Action"][0] == "iam:PassRole")
        .expect("a PassRole statement");
    for r in pass_role["Resource"].as_array().unwrap() {
        let r = r.as_str().unwrap();
        assert!(
            r.contains(":role/acme-")
                || r.contains(":role/service-role/acme-")
                || r.ends_with("/AWSServiceRoleForConfig"),
            "PassRole on {r}"
        );
    }

    let (_, organization) = actions_of("organization", &[]);
    for needed in [
        "organizations:RegisterDelegatedAdministrator",
        "guardduty:EnableOrganizationAdminAccount",
        "securityhub:CreateConfigurationPolicy",
        "inspector2:EnableDelegatedAdminAccount",
    ] {
        assert!(
            organization.contains(&needed.to_string()),
            "organization lacks {needed}"
        );
    }
    let (_, stacksets) = actions_of("stacksets", &[]);
    assert!(stacksets.contains(&"cloudformation:CreateStackSet".to_string()));
    let (_, complete) = actions_of("complete", &[]);
    assert!(complete.contains(&"shield:CreateProtection".to_string()));
    assert!(complete.contains(&"macie2:CreateClassificationJob".to_string()));

    let (_, plan) = actions_of("complete", &["--for", "plan"]);
    let writes: Vec<&String> = plan
        .iter()
        .filter(|a| {
            let name = a.split(':').nth(1).unwrap();
            !["Describe", "List", "Get", "BatchGet"]
                .iter()
                .any(|p| name.starts_with(p))
        })
        .collect();
    assert_eq!(
        writes,
        [
            "cloudformation:CreateChangeSet",
            "cloudformation:DeleteChangeSet",
            "cloudformation:DetectStackDrift"
        ],
        "a plan principal changes nothing deployed"
    );
}

/// docs/reference/commands.md is the command-line definitions as a page: every command, its
/// usage and each argument. Regenerate it with `UPDATE_REFERENCE=1 scripts/test --test cli`.
#[test]
fn the_commands_reference_is_the_command_line() {
    let page = repo_root().join("docs/reference/commands.md");
    let generated = cfn_baseline::commands::commands_reference();
    if std::env::var_os("UPDATE_REFERENCE").is_some() {
        fs::write(&page, &generated).unwrap();
    }
    let written = fs::read_to_string(&page).unwrap_or_default();
    assert!(
        written == generated,
        "docs/reference/commands.md disagrees with src/cli.rs; regenerate it with \
         `UPDATE_REFERENCE=1 scripts/test --test cli`"
    );
    for command in [
        "init",
        "validate",
        "render",
        "plan",
        "deploy",
        "diff",
        "drift",
        "alerts test",
        "permissions",
        "schema",
        "completions",
    ] {
        assert!(
            generated.contains(&format!("## `cfn-baseline {command}`")),
            "{command}"
        );
    }
    assert!(generated.contains("| `--allow-weakening` |"), "{generated}");
}

/// The JSON documents the offline commands write have no key docs/reference/json.md does
/// not name: render's manifest and an offline diff.
#[test]
fn the_json_reference_names_every_key_the_offline_commands_print() {
    let dir = tempfile::tempdir().unwrap();
    let complete = repo_root().join("examples/complete.yaml");
    let out = run_in(
        dir.path(),
        &["render", complete.to_str().unwrap(), "--out", "r"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("r/manifest.json")).unwrap())
            .unwrap();
    let undocumented: Vec<String> = json_keys(&manifest)
        .difference(&documented_json_keys("render's manifest.json"))
        .cloned()
        .collect();
    assert!(
        undocumented.is_empty(),
        "manifest keys not in docs/reference/json.md: {undocumented:?}"
    );

    let minimal = repo_root().join("examples/minimal.yaml");
    let out = run_in(
        dir.path(),
        &[
            "diff",
            complete.to_str().unwrap(),
            "--against",
            minimal.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let diff: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let undocumented: Vec<String> = json_keys(&diff)
        .difference(&documented_json_keys("diff and drift"))
        .cloned()
        .collect();
    assert!(
        undocumented.is_empty(),
        "diff keys not in docs/reference/json.md: {undocumented:?}"
    );
}
