//! When AWS or the network fails: the run stops in bounded time with sentences, never Rust
//! debug output, and a second run converges. The endpoint is a closed loopback port, or moto
//! behind `scripts/latency_proxy.py --lose-after N`, which resets the Nth request and every
//! later one and stops listening, as a dropped VPN does. Time bounds here are budgets checked
//! generously (the machines are shared), not benchmarks.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::moto::Moto;
use support::{dir_with_default_baseline, repo_root, stderr, stdout, test_python};

/// What must never reach a person.
const DEBUG_MARKERS: [&str; 5] = [
    "DispatchFailure",
    "{ source:",
    "Error {",
    "ProviderChainError",
    "ConnectorError",
];

fn assert_sentences(out: &Output) {
    let text = format!("{}{}", stdout(out), stderr(out));
    for marker in DEBUG_MARKERS {
        assert!(!text.contains(marker), "debug output ({marker}):\n{text}");
    }
}

/// The binary with no AWS settings from this machine: only what the test gives it.
fn bare(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cfn-baseline"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .stdin(Stdio::null());
    c
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn an_unreachable_endpoint_stops_the_run_in_bounded_time_with_a_sentence() {
    let dir = dir_with_default_baseline();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let out = bare(dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args([
            "--endpoint-url",
            &endpoint,
            "--network-timeout",
            "5",
            "plan",
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Connection refused is retried a few times, then reported: well within the budget.
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(
        stderr(&out).contains("could not connect (Connection refused"),
        "{}",
        stderr(&out)
    );
    // Which endpoint, and where it came from.
    assert!(
        stderr(&out).contains(&format!("(endpoint {endpoint}, from --endpoint-url)")),
        "{}",
        stderr(&out)
    );
    assert_sentences(&out);
}

#[test]
fn verbose_adds_the_chain_of_causes_as_sentences() {
    let dir = dir_with_default_baseline();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let out = bare(dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args(["--endpoint-url", &endpoint, "--verbose", "plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let chain = err
        .split("[causes: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no chain of causes:\n{err}"));
    assert!(chain.contains(" → "), "{err}");
    assert!(chain.contains("Connection refused"), "{err}");
    assert_sentences(&out);
}

#[test]
fn no_credentials_says_what_was_tried_and_what_to_do() {
    let dir = dir_with_default_baseline();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let out = bare(dir.path())
        .args(["--endpoint-url", &endpoint, "plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    // What to do comes first, the sources' complaints after it.
    assert!(
        err.contains("no usable AWS credentials: set AWS_PROFILE"),
        "{err}"
    );
    assert!(
        err.contains("export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{err}"
    );
    assert!(
        err.contains("Environment: the credential provider was not enabled"),
        "{err}"
    );
    assert_sentences(&out);
}

#[test]
fn an_unknown_profile_is_named_with_the_profiles_there_are() {
    let dir = dir_with_default_baseline();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile dev]\nregion = us-east-1\n[profile prod]\nregion = us-east-1\n",
    )
    .unwrap();
    let out = bare(dir.path())
        .env("AWS_CONFIG_FILE", &config)
        .args(["--profile", "prdo", "plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the AWS profile `prdo` does not exist")
            && err.contains("the profiles there are: dev, prod"),
        "{err}"
    );
    assert_sentences(&out);
}

/// `scripts/latency_proxy.py` in front of `target`, dealing the faults `args` ask for.
struct Proxy {
    child: std::process::Child,
    endpoint: String,
}

impl Proxy {
    fn start(target: &str, args: &[&str], dir: &std::path::Path) -> Proxy {
        let port_file = dir.join("proxy.port");
        let _ = std::fs::remove_file(&port_file);
        let child = Command::new(test_python())
            .arg(repo_root().join("scripts/latency_proxy.py"))
            .args(["--target", target, "--delay-ms", "0"])
            .args(args)
            .arg("--port-file")
            .arg(&port_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the proxy starts");
        let started = Instant::now();
        let port = loop {
            if let Ok(p) = std::fs::read_to_string(&port_file) {
                if !p.is_empty() {
                    break p;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the proxy did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Proxy {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A first deploy of the default baseline through a proxy dealing `faults`, with a network
/// budget of `budget` seconds: its output, all text, and how long it took.
fn deploy_through(
    moto: &Moto,
    dir: &std::path::Path,
    faults: &[&str],
    budget: u64,
) -> (Output, String, Duration) {
    let proxy = Proxy::start(&moto.endpoint, faults, dir);
    let started = Instant::now();
    let out = bare(dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", &proxy.endpoint, "--network-timeout"])
        .arg(budget.to_string())
        .args(["deploy", "--yes"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_sentences(&out);
    (out, text, took)
}

/// The stop report's row for a stack, its words joined by single spaces.
fn row(text: &str, stack: &str) -> String {
    let key = format!("current/us-east-1/{stack} ");
    text.lines()
        .skip_while(|l| !l.starts_with("Where each stack stands"))
        .find(|l| l.starts_with(&key))
        .unwrap_or_else(|| panic!("no row for {stack} in the stop report:\n{text}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A run stopped short: exit 1 within the budget (generously), the stop report with the
/// command that resumes; then, with the network back, the same command converges and a plan
/// finds nothing to do.
fn assert_stopped_then_resumed(
    moto: &Moto,
    dir: &std::path::Path,
    out: &Output,
    text: &str,
    took: Duration,
) {
    assert_eq!(out.status.code(), Some(1), "{text}");
    // Budget 5 s: the run stops within it, plus cleanup that no longer waits on the network.
    assert!(took < Duration::from_secs(45), "took {took:?}:\n{text}");
    assert!(text.contains("Where each stack stands ("), "{text}");
    assert!(
        text.contains("To resume, run the same command again")
            && text.contains("--network-timeout 5 deploy --yes\n"),
        "{text}"
    );
    let again = moto.run(dir, &["deploy", "--yes"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    let plan = moto.run(dir, &["plan"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );
}

#[test]
fn losing_the_endpoint_while_preparing_leaves_nothing_executed_and_names_what_is_left() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // The third CreateChangeSet finds the network gone: two change sets exist by then.
    let (out, text, took) =
        deploy_through(&moto, dir.path(), &["--lose-at", "CreateChangeSet:3"], 5);
    assert!(text.contains("cannot reach AWS ("), "{text}");
    assert!(text.contains("AWS has not answered for 5s"), "{text}");
    assert!(
        !text.contains(" executed\n"),
        "nothing was executed:\n{text}"
    );
    // The change sets made before the loss could not be deleted: each is named as left.
    let rows: Vec<String> = ["alerts", "cloudtrail", "config", "guardduty", "securityhub"]
        .iter()
        .map(|c| row(&text, &format!("baseline-{c}")))
        .collect();
    let with_change_set: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains(" cfn-baseline-"))
        .collect();
    assert!(!with_change_set.is_empty(), "{text}");
    for r in with_change_set {
        assert!(
            r.ends_with("LEFT (AWS could not be reached)"),
            "{r}\n{text}"
        );
    }
    assert!(
        text.contains("could not be deleted or may be left; the next run finds them by name"),
        "{text}"
    );
    assert_stopped_then_resumed(&moto, dir.path(), &out, &text, took);
}

#[test]
fn losing_the_endpoint_while_executing_says_which_stacks_completed_and_which_are_unknown() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // The alert topic's stack (the first wave) is executed; the second wave's executions
    // find the network gone.
    let (out, text, took) =
        deploy_through(&moto, dir.path(), &["--lose-at", "ExecuteChangeSet:2"], 5);
    assert!(
        row(&text, "baseline-alerts")
            .starts_with("current/us-east-1/baseline-alerts complete cfn-baseline-"),
        "{text}"
    );
    assert!(
        row(&text, "baseline-alerts").ends_with(" executed"),
        "{text}"
    );
    assert!(
        row(&text, "baseline-cloudtrail").contains(" unknown "),
        "{text}"
    );
    assert!(
        text.contains("in a state not known (AWS could not be reached)"),
        "{text}"
    );
    assert!(
        text.contains(
            "(IAM password policy, Security Hub controls, account settings) were not changed"
        ),
        "{text}"
    );
    assert_stopped_then_resumed(&moto, dir.path(), &out, &text, took);
}

#[test]
fn losing_the_endpoint_while_following_events_reports_the_executed_stack_as_unknown() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // DescribeStackEvents: once before the alert stack executes, then while following it.
    let (out, text, took) = deploy_through(
        &moto,
        dir.path(),
        &["--lose-at", "DescribeStackEvents:2"],
        5,
    );
    let alerts = row(&text, "baseline-alerts");
    assert!(
        alerts.contains(" unknown cfn-baseline-") && alerts.ends_with(" executed"),
        "{text}"
    );
    assert!(
        text.contains("following baseline-alerts in us-east-1: could not reach AWS"),
        "{text}"
    );
    assert_stopped_then_resumed(&moto, dir.path(), &out, &text, took);
}

#[test]
fn an_endpoint_that_stops_answering_is_given_up_on_within_the_budget() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // From the fourth DescribeStackEvents on, requests are accepted and never answered.
    let (out, text, took) = deploy_through(
        &moto,
        dir.path(),
        &["--stall-at", "DescribeStackEvents:4"],
        5,
    );
    assert!(text.contains("AWS has not answered for 5s"), "{text}");
    assert_stopped_then_resumed(&moto, dir.path(), &out, &text, took);
}

#[test]
fn a_burst_of_503s_and_a_short_outage_are_absorbed_with_news_on_the_terminal() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // Eight requests in a row answered 503 Service Unavailable, from the tenth (while
    // looking at what the account already has).
    let (out, text, _) = deploy_through(&moto, dir.path(), &["--burst", "503:8@10"], 30);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("cannot reach AWS ("), "{text}");
    assert!(text.contains("AWS answered HTTP 503"), "{text}");
    assert!(text.contains("AWS answers again; carrying on"), "{text}");
    assert!(!text.contains("Where each stack stands"), "{text}");

    // The network drops at the second ExecuteChangeSet and comes back 2 s later, well within
    // the budget: the run carries on and completes.
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    let (out, text, _) = deploy_through(
        &moto,
        dir.path(),
        &["--lose-at", "ExecuteChangeSet:2", "--restore-after", "2"],
        30,
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("cannot reach AWS (ExecuteChangeSet: "),
        "{text}"
    );
    assert!(text.contains("AWS answers again; carrying on"), "{text}");
    for stack in ["baseline-alerts", "baseline-config", "baseline-securityhub"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("current/us-east-1/{stack} "))
                    && l.contains(" created ")),
            "{text}"
        );
    }
}

#[test]
fn ctrl_c_stops_with_the_report_and_the_command_that_resumes() {
    let moto = Moto::start();
    let dir = dir_with_default_baseline();
    // Each request takes 300 ms, so the deploy is still preparing or executing when Ctrl-C
    // (SIGINT) comes.
    let proxy = Proxy::start(&moto.endpoint, &["--delay-ms", "300"], dir.path());
    let child = bare(dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", &proxy.endpoint, "deploy", "--yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ctrl-C once the change sets are being prepared (the progress says so on stderr).
    let mut child = child;
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut seen = String::new();
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            if line.starts_with("Deploying ") {
                let _ = tx.send(());
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the deploy reaches its preparing phase");
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", stdout(&out), reader.join().unwrap());
    // 130: the shell's status for a run stopped by Ctrl-C.
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("interrupted"), "{text}");
    assert!(text.contains("Where each stack stands ("), "{text}");
    assert!(
        text.contains("To resume, run the same command again"),
        "{text}"
    );
    for marker in DEBUG_MARKERS {
        assert!(!text.contains(marker), "debug output ({marker}):\n{text}");
    }
    drop(proxy);
    let again = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
}
