//! When AWS or the network fails: the run stops in bounded time with sentences, never Rust
//! debug output, and a second run converges. The endpoint is a closed loopback port, or moto
//! behind `scripts/latency_proxy.py --lose-after N`, which resets the Nth request and every
//! later one and stops listening, as a dropped VPN does. Time bounds here are budgets checked
//! generously (the machines are shared), not benchmarks.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::moto::Moto;
use support::{repo_root, stderr, stdout, test_python};

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
    let dir = tempfile::tempdir().unwrap();
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
    assert_sentences(&out);
}

#[test]
fn no_credentials_says_what_was_tried_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let out = bare(dir.path())
        .args(["--endpoint-url", &endpoint, "plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no usable AWS credentials"), "{err}");
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
    let dir = tempfile::tempdir().unwrap();
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

/// `scripts/latency_proxy.py` in front of `target`, losing the network at request `n`.
struct Proxy {
    child: std::process::Child,
    endpoint: String,
}

impl Proxy {
    fn losing_after(target: &str, n: usize, dir: &std::path::Path) -> Proxy {
        let port_file = dir.join("proxy.port");
        let child = Command::new(test_python())
            .arg(repo_root().join("scripts/latency_proxy.py"))
            .args(["--target", target, "--delay-ms", "0", "--lose-after"])
            .arg(n.to_string())
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

#[test]
fn losing_the_endpoint_mid_deploy_stops_in_bounded_time_and_a_second_run_converges() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    // A first deploy of the default baseline makes about 50 requests; lose the network
    // after 20, while change sets are being prepared or executed.
    let proxy = Proxy::losing_after(&moto.endpoint, 20, dir.path());
    let started = Instant::now();
    let out = bare(dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args([
            "--endpoint-url",
            &proxy.endpoint,
            "--network-timeout",
            "5",
            "deploy",
            "--yes",
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(took < Duration::from_secs(120), "took {took:?}");
    assert_sentences(&out);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("could not connect") || text.contains("could not send the request"),
        "{text}"
    );
    drop(proxy);

    // The endpoint is back: the same command converges.
    let again = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    let plan = moto.run(dir.path(), &["plan"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );
}
