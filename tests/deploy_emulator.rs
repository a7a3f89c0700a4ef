//! plan and deploy end to end: the real binary and AWS SDK over HTTP against moto's server.

mod support;

use std::fs;

use support::moto::Moto;
use support::*;

async fn stacks(moto: &Moto, region: &str) -> Vec<(String, String)> {
    let cf = moto.cloudformation(region).await;
    let out = cf.describe_stacks().send().await.unwrap();
    let mut v: Vec<(String, String)> = out
        .stacks()
        .iter()
        .map(|s| {
            (
                s.stack_name().unwrap().to_string(),
                s.stack_status().unwrap().as_str().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_default_then_redeploy_then_update() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();

    // Without a terminal and without --yes nothing happens.
    let out = moto.run(dir.path(), &["deploy"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert!(stacks(&moto, "us-east-1").await.is_empty());

    // plan on an empty account: everything would be created, and nothing is left behind.
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("+ current/us-east-1/baseline-guardduty  create"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("+ Add Detector (AWS::GuardDuty::Detector)"));
    assert!(
        stacks(&moto, "us-east-1").await.is_empty(),
        "plan left stacks behind"
    );

    // First deploy creates every stack with the rendered body and the tags.
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let names: Vec<String> = stacks(&moto, "us-east-1")
        .await
        .into_iter()
        .map(|(n, s)| format!("{n} {s}"))
        .collect();
    assert_eq!(
        names,
        [
            "baseline-access-analyzer CREATE_COMPLETE",
            "baseline-alerts CREATE_COMPLETE",
            "baseline-cloudtrail CREATE_COMPLETE",
            "baseline-config CREATE_COMPLETE",
            "baseline-guardduty CREATE_COMPLETE",
            "baseline-patching CREATE_COMPLETE",
            "baseline-securityhub CREATE_COMPLETE",
        ]
    );
    let rendered = render(&load_text(
        "default",
        cfn_baseline::baseline::DEFAULT_BASELINE,
    ));
    let cf = moto.cloudformation("us-east-1").await;
    for stack in &rendered {
        let body = cf
            .get_template()
            .stack_name(&stack.spec.stack_name)
            .send()
            .await
            .unwrap();
        assert_eq!(
            body.template_body().unwrap(),
            &*stack.body,
            "{}",
            stack.spec.key()
        );
        let described = cf
            .describe_stacks()
            .stack_name(&stack.spec.stack_name)
            .send()
            .await
            .unwrap();
        let tags: Vec<(String, String)> = described.stacks()[0]
            .tags()
            .iter()
            .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
            .collect();
        assert!(
            tags.contains(&("cfn-baseline:baseline".into(), "baseline".into())),
            "{tags:?}"
        );
        assert!(
            tags.contains(&("managed-by".into(), "cfn-baseline".into())),
            "{tags:?}"
        );
    }
    let change_sets_before = cf
        .list_change_sets()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap()
        .summaries()
        .len();
    let events_before = cf
        .describe_stack_events()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap()
        .stack_events()
        .len();

    // Redeploy: unchanged stacks are skipped without change sets; plan says no changes.
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).matches("  unchanged").count(),
        18,
        "{}",
        stdout(&out)
    );
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cs = cf
        .list_change_sets()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cs.summaries().len(),
        change_sets_before,
        "a change set was created for an unchanged stack"
    );
    let events_after = cf
        .describe_stack_events()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap()
        .stack_events()
        .len();
    assert_eq!(
        events_before, events_after,
        "an unchanged stack was updated"
    );

    // Change the baseline: plan shows exactly the GuardDuty change, deploy applies it.
    let text = cfn_baseline::baseline::DEFAULT_BASELINE.replace(
        "finding_frequency: FIFTEEN_MINUTES",
        "finding_frequency: ONE_HOUR",
    );
    fs::write(dir.path().join("baseline.yaml"), &text).unwrap();
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let plan = stdout(&out);
    assert!(
        plan.contains("~ current/us-east-1/baseline-guardduty  update, 1 resource change(s)"),
        "{plan}"
    );
    assert!(
        plan.contains("~ Modify Detector (AWS::GuardDuty::Detector)"),
        "{plan}"
    );
    assert_eq!(plan.matches("  unchanged").count(), 10, "{plan}");

    // A slower publishing frequency weakens: --yes alone applies nothing.
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = moto.run(dir.path(), &["deploy", "--yes", "--allow-weakening"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = stdout(&out);
    let line = summary
        .lines()
        .find(|l| l.starts_with("current/us-east-1/baseline-guardduty "))
        .unwrap_or_default();
    assert!(line.contains(" updated "), "{summary}");
    assert_eq!(
        summary
            .lines()
            .filter(|l| l.contains(" unchanged "))
            .count(),
        6,
        "{summary}"
    );
    let body = cf
        .get_template()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap();
    assert!(body.template_body().unwrap().contains("\"ONE_HOUR\""));
    let out = moto.run(dir.path(), &["plan", "baseline.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_a_multi_region_example() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    let text = fs::read_to_string(repo_root().join("examples/multi-region.yaml"))
        .unwrap()
        .replace("111111111111", "123456789012");
    fs::write(dir.path().join("baseline.yaml"), text).unwrap();
    let out = moto.run(dir.path(), &["deploy", "--yes", "--concurrency", "6"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stacks(&moto, "ap-northeast-1").await.len(), 7);
    assert_eq!(stacks(&moto, "us-east-1").await.len(), 6);
    assert_eq!(stacks(&moto, "eu-central-1").await.len(), 6);
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_an_account_the_baseline_does_not_target() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // moto's account is 123456789012; the example targets 111111111111.
    let example = repo_root().join("examples/single-account.yaml");
    let out = moto.run(dir.path(), &["deploy", "--yes", example.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("account 123456789012, which the baseline does not target"),
        "{}",
        stderr(&out)
    );
    assert!(stacks(&moto, "eu-west-1").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_reaches_other_accounts_through_their_role() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    let text = "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1]\n\
        alerts: {email: [sec@example.com]}\n\
        accounts:\n  - \"123456789012\"\n  - {id: \"222222222222\", role_arn: \"arn:aws:iam::222222222222:role/baseline-deployer\"}\n  - \"333333333333\"\n";
    fs::write(dir.path().join("baseline.yaml"), text).unwrap();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("skipping account(s) 333333333333"), "{err}");
    assert!(
        err.contains("222222222222 (role arn:aws:iam::222222222222:role/baseline-deployer)"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("222222222222/us-east-1/org-guardduty"),
        "{}",
        stdout(&out)
    );
    for account in ["123456789012", "222222222222"] {
        let cf = moto.cloudformation_in("us-east-1", account).await;
        let names: Vec<String> = cf
            .describe_stacks()
            .send()
            .await
            .unwrap()
            .stacks()
            .iter()
            .map(|s| s.stack_name().unwrap().to_string())
            .collect();
        assert_eq!(names.len(), 7, "{account}: {names:?}");
    }
    let other = moto.cloudformation_in("us-east-1", "333333333333").await;
    assert!(other
        .describe_stacks()
        .send()
        .await
        .unwrap()
        .stacks()
        .is_empty());

    // A role that lands in another account than the baseline says is refused up front.
    let wrong = text.replace("{id: \"222222222222\"", "{id: \"444444444444\"");
    fs::write(dir.path().join("baseline.yaml"), wrong).unwrap();
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("leads to account 222222222222, not 444444444444"),
        "{}",
        stderr(&out)
    );
}

/// Drives the binary through a pseudo-terminal (Python's pty module, from the test venv):
/// waits for the prompt (argv[1], e.g. `[y/N]`), types the answer (argv[2]: `\x03` is
/// Ctrl-C, as the terminal turns it into SIGINT) and returns everything it printed.
const ANSWER_AT_PROMPT: &str = r#"
import os, pty, select, sys, time
marker, answer = sys.argv[1].encode(), sys.argv[2].encode().decode("unicode_escape").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
out, sent = b"", False
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and marker in out:
        time.sleep(0.2)
        os.write(fd, answer)
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;

/// `deploy` of the baseline in `dir` on a terminal, answering `answer` at `prompt`.
fn deploy_answering(
    moto: &Moto,
    dir: &std::path::Path,
    prompt: &str,
    answer: &str,
) -> std::process::Output {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "run the tests through scripts/test (it creates .venv)"
    );
    std::process::Command::new(python)
        .args([
            "-c",
            ANSWER_AT_PROMPT,
            prompt,
            answer,
            env!("CARGO_BIN_EXE_cfn-baseline"),
        ])
        .args(["--endpoint-url", &moto.endpoint, "deploy"])
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

/// The weakening prompt: the changes are listed right above it, `y` is not enough (nothing
/// changes, exit 1), typing their number executes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weakening_plan_is_confirmed_only_by_typing_the_number_of_its_changes() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let slower = cfn_baseline::baseline::DEFAULT_BASELINE.replace(
        "finding_frequency: FIFTEEN_MINUTES",
        "finding_frequency: ONE_HOUR",
    );
    fs::write(dir.path().join("baseline.yaml"), slower).unwrap();
    let cf = moto.cloudformation("us-east-1").await;
    let deployed = |cf: aws_sdk_cloudformation::Client| async move {
        cf.get_template()
            .stack_name("baseline-guardduty")
            .send()
            .await
            .unwrap()
            .template_body()
            .unwrap()
            .to_string()
    };

    let prompt = "Type 1 to go ahead";
    let refused = deploy_answering(&moto, dir.path(), prompt, "y\n");
    let printed = stdout(&refused);
    assert_eq!(refused.status.code(), Some(1), "{printed}");
    let list = printed
        .find("this plan weakens security in 1 place(s):")
        .expect("the list");
    let line = printed
        .find("! current/us-east-1/baseline-guardduty: Detector.Properties.FindingPublishingFrequency")
        .expect("the change");
    let asked = printed.find(prompt).expect("the prompt");
    assert!(
        list < line && line < asked,
        "listed right above the prompt:\n{printed}"
    );
    assert!(
        printed.contains("not confirmed; change sets deleted, nothing was changed"),
        "{printed}"
    );
    assert!(deployed(cf.clone()).await.contains("FIFTEEN_MINUTES"));

    let confirmed = deploy_answering(&moto, dir.path(), prompt, "1\n");
    assert_eq!(confirmed.status.code(), Some(0), "{}", stdout(&confirmed));
    assert!(deployed(cf.clone()).await.contains("ONE_HOUR"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_at_the_prompt_deletes_the_change_sets() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cf = moto.cloudformation("us-east-1").await;
    let pending = |cf: aws_sdk_cloudformation::Client| async move {
        let list = cf
            .list_change_sets()
            .stack_name("baseline-guardduty")
            .send()
            .await
            .unwrap();
        list.summaries()
            .iter()
            .filter(|c| c.execution_status().map(|e| e.as_str()) != Some("EXECUTE_COMPLETE"))
            .count()
    };
    assert_eq!(pending(cf.clone()).await, 0);

    let changed = cfn_baseline::baseline::DEFAULT_BASELINE.replace(
        "finding_frequency: FIFTEEN_MINUTES",
        "finding_frequency: ONE_HOUR",
    );
    fs::write(dir.path().join("baseline.yaml"), changed).unwrap();
    // A slower publishing frequency weakens: the prompt asks for the number typed.
    let out = deploy_answering(&moto, dir.path(), "Type 1 to go ahead", "\\x03");
    let printed = stdout(&out);
    // 130: the shell's status for Ctrl-C.
    assert_eq!(out.status.code(), Some(130), "{printed}{}", stderr(&out));
    assert!(
        printed.contains("Execute 1 change set(s)? It weakens security in 1 place(s)"),
        "{printed}"
    );
    assert!(
        printed.contains(
            "interrupted before anything was executed; change sets deleted, nothing was changed"
        ),
        "{printed}"
    );
    assert_eq!(pending(cf.clone()).await, 0, "a change set was left behind");
    let body = cf
        .get_template()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap();
    assert!(body.template_body().unwrap().contains("FIFTEEN_MINUTES"));
}

/// Malware Protection for S3 through moto. Its CloudFormation creates the IAM role (IAM is
/// one of the types it implements) but not the plan (AWS::GuardDuty::MalwareProtectionPlan
/// is unknown to it and skipped), so this proves the stack body and the role GuardDuty
/// would assume, not a plan scanning: the plan's properties are checked in
/// tests/render.rs and by cfn-lint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malware_protection_deploys_its_plan_and_a_role_scoped_to_the_bucket() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    let text = cfn_baseline::baseline::DEFAULT_BASELINE
        .replacen("email: []", "email: [security@example.com]", 1)
        .replacen(
            "  s3_malware_protection: []",
            "  s3_malware_protection: [{bucket: acme-uploads, prefixes: [incoming/]}]",
            1,
        );
    assert!(
        text.contains("acme-uploads"),
        "the default baseline's list moved"
    );
    fs::write(dir.path().join("baseline.yaml"), text).unwrap();
    let out = moto.run(dir.path(), &["plan"]);
    assert!(
        stdout(&out).contains("+ Add MalwareProtectionRole (AWS::IAM::Role)")
            && stdout(&out).contains("(AWS::GuardDuty::MalwareProtectionPlan)"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let cf = moto.cloudformation("us-east-1").await;
    let body = cf
        .get_template()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap()
        .template_body()
        .unwrap()
        .to_string();
    assert!(
        body.contains("AWS::GuardDuty::MalwareProtectionPlan") && body.contains("acme-uploads"),
        "{body}"
    );
    let iam = moto.iam();
    let roles = iam.list_roles().send().await.unwrap();
    let role = roles
        .roles()
        .iter()
        .find(|r| {
            r.assume_role_policy_document()
                .is_some_and(|d| d.contains("malware-protection-plan.guardduty.amazonaws.com"))
        })
        .expect("the scan role exists");
    let policy = iam
        .get_role_policy()
        .role_name(role.role_name())
        .policy_name("malware-protection-plan")
        .send()
        .await
        .unwrap();
    let document = urlencoding_decode(policy.policy_document());
    assert!(
        document
            .contains("arn:aws:s3:::acme-uploads/malware-protection-resource-validation-object")
            && !document.contains("arn:aws:s3:::*"),
        "{document}"
    );
}

/// IAM returns policy documents URL-encoded.
fn urlencoding_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The shell lines of the README's first ```sh block after `heading`, each without its
/// trailing comment.
fn readme_block(heading: &str) -> Vec<String> {
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"))
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .unwrap_or_else(|| panic!("no sh block after {heading:?}"))
        .0;
    block
        .lines()
        .map(|l| {
            l.split_once("  #")
                .map_or(l, |(cmd, _)| cmd)
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// The arguments of one `cfn-baseline ...` command line.
fn words(command: &str) -> Vec<&str> {
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("cfn-baseline"), "{command}");
    words.collect()
}

/// The README's quick start, line by line, as a new user runs it (against the emulator, as
/// the next section of the README says how): every command there, and the exit status the
/// README leads them to expect. A command added to the README without an expectation here
/// fails the test, so the block cannot rot.
#[test]
fn the_readme_quick_start_runs_as_written() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let lines = readme_block("## Quick start");
    let mut ran = Vec::new();
    for line in &lines {
        if line == "$EDITOR baseline.yaml" {
            // The user's edit: an address for the alerts.
            let path = dir.path().join("baseline.yaml");
            let text = fs::read_to_string(&path).unwrap();
            let edited = text.replacen("  email: []", "  email: [security@example.com]", 1);
            assert_ne!(
                edited, text,
                "the starter baseline has `email: []` to fill in"
            );
            fs::write(&path, edited).unwrap();
            continue;
        }
        let args = words(line);
        // What the README says, or implies, of each: `plan` exits 2 before the deploy,
        // `alerts test` 2 while the subscription is pending (the emulator leaves email
        // subscriptions pending, as AWS does until the address confirms), `drift` 3 where
        // the endpoint cannot detect stack drift (the emulator cannot; AWS can).
        let (expected, out) = match args.as_slice() {
            ["init"] | ["validate"] | ["diff"] => (0, moto.run(dir.path(), &args)),
            ["plan"] => (2, moto.run(dir.path(), &args)),
            ["deploy"] => (0, deploy_answering(&moto, dir.path(), "[y/N]", "y\\n")),
            ["alerts", "test", "--yes"] => (2, moto.run(dir.path(), &args)),
            ["drift"] => (3, moto.run(dir.path(), &args)),
            other => panic!("the README's quick start runs {other:?}: add what it should do here"),
        };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{line}:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        ran.push(args[0].to_string());
    }
    assert_eq!(
        ran,
        ["init", "validate", "plan", "deploy", "alerts", "diff", "drift"]
    );
}

/// The README's "without an AWS account" block: the emulator it starts is this test's, the
/// variables it exports are the ones the harness sets, and its chain of commands runs as
/// the shell would (each after the one before succeeded), ending in drift's 3.
#[test]
fn the_readme_emulator_block_runs_as_written() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let lines = readme_block("### Try it without an AWS account");
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains("'moto[server]==5.2.1'"),
        "the pinned moto: {}",
        lines[0]
    );
    let pinned = fs::read_to_string(repo_root().join("scripts/requirements-test.txt")).unwrap();
    assert!(
        pinned.contains("moto[server]==5.2.1"),
        "the README pins what the tests use"
    );
    assert!(lines[1].starts_with(".venv/bin/python scripts/emulator.py -H 127.0.0.1 -p 5000"));
    assert_eq!(
        lines[2],
        "export AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
    );
    let chain: Vec<&str> = lines[3].split(" && ").collect();
    let mut codes = Vec::new();
    for command in &chain {
        let out = moto.run(dir.path(), &words(command));
        codes.push(out.status.code().unwrap());
        if !out.status.success() {
            break;
        }
    }
    assert_eq!(codes, [0, 0, 0, 3], "{chain:?}");
}

/// Every single-account example plans as its header says, against the emulator running
/// as account 111111111111 (the examples' placeholder): exit 2, everything to create.
/// complete.yaml asks for Shield Advanced protections, which need a subscription the
/// emulator's account does not have (as a new AWS account does not): plan says deploy
/// would stop, as an error, and exits 1.
#[test]
fn every_single_account_example_plans_as_its_header_says() {
    let moto = Moto::start_as("111111111111");
    let dir = tempfile::tempdir().unwrap();
    for (example, expected) in [
        ("single-account", 2),
        ("minimal", 2),
        ("multi-region", 2),
        ("strict-cis", 2),
        ("complete", 1),
    ] {
        let path = repo_root().join(format!("examples/{example}.yaml"));
        let header = fs::read_to_string(&path).unwrap();
        assert!(
            header.contains(&format!("cfn-baseline plan examples/{example}.yaml")),
            "{example}.yaml's header says how to try it"
        );
        let out = moto.run(dir.path(), &["plan", "--compact", path.to_str().unwrap()]);
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{example}:\n{text}\n{err}"
        );
        // Everything new (the emulator reports a Macie session in every account, which
        // complete.yaml adopts), nothing to update.
        assert!(
            text.contains("0 to update, 0 unchanged"),
            "{example}:\n{text}"
        );
        if example == "complete" {
            assert!(
                err.contains("Shield Advanced")
                    && err.contains("deploy would stop before any change: 1 setting(s)"),
                "{err}"
            );
        }
    }
}

/// What the emulator accepts and ignores, but AWS does not: the IAM capability on every
/// change set whose stack has IAM resources (AWS refuses such a change set without it;
/// dropping it would fail every real deploy and no other test), property values asked for
/// when a change set is described (AWS leaves them out otherwise, and the plan could not
/// say old -> new), and termination protection asked for on every created stack (the
/// emulator answers 500 and the run warns; AWS turns it on). Read from the requests sent.
#[test]
fn the_requests_carry_what_the_emulator_ignores() {
    let work = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(work.path());
    let dir = dir_with_default_baseline();
    moto.start_recording();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let forms: Vec<String> = moto.recording().iter().map(support::moto::form).collect();
    let field = |form: &str, key: &str| -> Option<String> {
        form.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(str::to_string))
    };

    let stacks = render(&load_text(
        "baseline.yaml",
        cfn_baseline::baseline::DEFAULT_BASELINE,
    ));
    assert_eq!(stacks.len(), 7);
    for stack in &stacks {
        let name = stack.spec.stack_name.as_str();
        let has_iam = stack.body.contains("Type: AWS::IAM::");
        // The requests of one action for this stack.
        let sent = |action: &str| -> Vec<&String> {
            forms
                .iter()
                .filter(|f| {
                    field(f, "Action").as_deref() == Some(action)
                        && field(f, "StackName").as_deref() == Some(name)
                })
                .collect()
        };
        let creates = sent("CreateChangeSet");
        assert!(!creates.is_empty(), "{name}: no CreateChangeSet");
        for f in creates {
            let capability = field(f, "Capabilities.member.1");
            if has_iam {
                assert!(
                    capability
                        .as_deref()
                        .is_some_and(|c| c.starts_with("CAPABILITY_")),
                    "{name} has IAM resources: {f}"
                );
            } else {
                assert_eq!(capability, None, "{name}: {f}");
            }
        }
        let protected = sent("UpdateTerminationProtection");
        assert!(
            !protected.is_empty(),
            "{name}: termination protection not asked for"
        );
        for f in protected {
            assert_eq!(
                field(f, "EnableTerminationProtection").as_deref(),
                Some("true"),
                "{f}"
            );
        }
    }
    assert!(
        stacks.iter().any(|s| s.body.contains("Type: AWS::IAM::"))
            && stacks.iter().any(|s| !s.body.contains("Type: AWS::IAM::")),
        "both kinds of stack are covered"
    );
    let described: Vec<&String> = forms
        .iter()
        .filter(|f| field(f, "Action").as_deref() == Some("DescribeChangeSet"))
        .collect();
    assert!(!described.is_empty());
    for f in described {
        assert_eq!(
            field(f, "IncludePropertyValues").as_deref(),
            Some("true"),
            "{f}"
        );
    }
}

/// Every example runs as its header says under `scripts/try-locally`, the script a newcomer
/// runs from a clone: it starts the emulator (scripts/emulator.py, moto with two named AWS
/// behaviours added), creates what the example needs there (an organization with accounts
/// and units, the stack-set administration role) and runs the tool's steps, each expected to
/// end with its exit code. Where the emulator cannot go on, the script stops and says why:
/// Shield Advanced is not subscribed (complete.yaml: plan exits 1, as it would in a new
/// account); an organization in two regions needs Security Hub's central configuration,
/// which the emulator lacks (validate and plan only).
#[test]
fn every_example_runs_under_try_locally() {
    let full = [0, 2, 0, 0, 3]; // validate, plan, deploy, diff, drift (3: not fully checked)
    let cases: [(&str, &[i32]); 8] = [
        ("single-account", &full),
        ("minimal", &full),
        ("multi-region", &full),
        ("strict-cis", &full),
        ("stacksets", &full),
        ("complete", &[0, 1]),
        ("organization", &[0, 2]),
        ("organization-stacksets", &[0, 2]),
    ];
    let runs: Vec<_> = cases
        .iter()
        .map(|(example, _)| {
            std::process::Command::new(repo_root().join("scripts/try-locally"))
                .arg(format!("examples/{example}.yaml"))
                .current_dir(repo_root())
                .env("CFN_BASELINE", env!("CARGO_BIN_EXE_cfn-baseline"))
                .env("CFN_BASELINE_PYTHON", test_python())
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("scripts/try-locally starts")
        })
        .collect();
    for ((example, codes), run) in cases.iter().zip(runs) {
        let out = run.wait_with_output().unwrap();
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(0), "{example}:\n{text}\n{err}");
        let seen: Vec<i32> = text
            .lines()
            .filter_map(|l| l.strip_prefix("(exit "))
            .map(|rest| rest.trim_end_matches(')').parse().unwrap())
            .collect();
        assert_eq!(&seen, codes, "{example}:\n{text}\n{err}");
        let header =
            fs::read_to_string(repo_root().join(format!("examples/{example}.yaml"))).unwrap();
        assert!(
            header.contains(&format!("scripts/try-locally examples/{example}.yaml")),
            "{example}.yaml's header names the script"
        );
        if codes.len() == 2 {
            assert!(text.contains("Stopped after plan: "), "{example}:\n{text}");
        }
    }
}

/// What `cfn-baseline permissions` prints is enough to run the tool: against the emulator
/// enforcing IAM (scripts/emulator.py with INITIAL_NO_AUTH_ACTION_COUNT), a user with only
/// those policies deploys the single-account example, diffs, checks drift and tests the
/// alerts; the same policies without one action they list stop the deploy before any
/// change, naming the call. The emulator authorizes actions, not resources (every request
/// but S3's is checked against `*`), so the policies' resources are widened to `*` here;
/// their scoping is asserted in tests/cli.rs. Its CloudFormation creates resources without
/// asking IAM, so this proves the calls the tool makes, not CloudFormation's own.
#[test]
fn the_printed_permissions_are_enough_to_run_the_tool() {
    let dir = tempfile::tempdir().unwrap();
    let example = fs::read_to_string(repo_root().join("examples/single-account.yaml"))
        .unwrap()
        .replace("111111111111", "123456789012");
    fs::write(dir.path().join("baseline.yaml"), example).unwrap();
    let out = support::run_in(dir.path(), &["permissions"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut documents: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    for d in &mut documents {
        for s in d["Statement"].as_array_mut().unwrap() {
            s["Resource"] = serde_json::json!("*");
        }
    }
    let without = |action: &str| -> Vec<serde_json::Value> {
        let mut fewer = documents.clone();
        for d in &mut fewer {
            for s in d["Statement"].as_array_mut().unwrap() {
                s["Action"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|a| a.as_str() != Some(action));
            }
        }
        fewer
    };
    // Two users: each one CreateUser, a PutUserPolicy per document and CreateAccessKey.
    let moto = Moto::start_enforcing_iam(2 * (2 + documents.len()));
    let keys = moto.python(&format!(
        "import json\n\
         iam = client('iam')\n\
         for user, documents in [('deployer', {full:?}), ('short', {short:?})]:\n    \
             iam.create_user(UserName=user)\n    \
             for i, d in enumerate(json.loads(documents)):\n        \
                 iam.put_user_policy(UserName=user, PolicyName=f'baseline-{{i}}', PolicyDocument=json.dumps(d))\n    \
             k = iam.create_access_key(UserName=user)['AccessKey']\n    \
             print(k['AccessKeyId'], k['SecretAccessKey'])\n",
        full = serde_json::to_string(&documents).unwrap(),
        short = serde_json::to_string(&without("guardduty:ListDetectors")).unwrap(),
    ));
    let keys: Vec<(&str, &str)> = keys.lines().map(|l| l.split_once(' ').unwrap()).collect();
    let run_as = |(key, secret): (&str, &str), args: &[&str]| {
        moto.command(dir.path(), args)
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .output()
            .unwrap()
    };

    let short = run_as(keys[1], &["deploy", "--yes"]);
    let err = stderr(&short);
    assert_eq!(short.status.code(), Some(1), "{err}");
    assert!(
        err.contains("ListDetectors") && err.contains("nothing was changed"),
        "{err}"
    );

    // deploy, diff, drift (3: the emulator lacks drift detection), alerts test (2: nobody
    // confirmed the email subscription).
    for (args, code) in [
        (&["deploy", "--yes"][..], 0),
        (&["diff"][..], 0),
        (&["drift"][..], 3),
        (&["alerts", "test", "--yes"][..], 2),
    ] {
        let out = run_as(keys[0], args);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\n{}\n{err}",
            stdout(&out)
        );
        assert!(
            !err.contains("not authorized") && !err.contains("AccessDenied"),
            "{args:?}: {err}"
        );
    }
}
