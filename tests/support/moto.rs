//! Starts moto's server on 127.0.0.1 with a free port for one test, stops it on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Plain HTTP for the checking clients (the binary builds its own HTTPS client; the SDK
/// crates carry none of their own).
fn http_client() -> aws_sdk_cloudformation::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_http()
}

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

fn moto_server() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTO_SERVER").map(PathBuf::from) {
        if p.is_file() {
            return p;
        }
    }
    let venv = super::repo_root().join(".venv/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    panic!(
        "moto_server is not installed. Run the tests with scripts/test, which installs the pinned \
         version into .venv, or: python3 -m pip install 'moto[server]==5.2.1' (or set MOTO_SERVER)"
    );
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_in(&std::env::temp_dir())
    }

    /// Starts the server with `dir` as its working directory, where its request recorder
    /// writes its file.
    pub fn start_in(dir: &std::path::Path) -> Moto {
        Moto::start_with(dir, &[])
    }

    /// Starts the server over HTTPS with this certificate and key (PEM files).
    pub fn start_tls(dir: &std::path::Path, cert: &std::path::Path, key: &std::path::Path) -> Moto {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        Moto::start_with(dir, &["--ssl-cert", cert, "--ssl-key", key])
    }

    /// Starts the server with `account` as its default account (MOTO_ACCOUNT_ID): the
    /// caller's credentials are then for that account, as the examples' accounts expect.
    pub fn start_as(account: &str) -> Moto {
        Moto::start_env(&std::env::temp_dir(), &[], &[("MOTO_ACCOUNT_ID", account)])
    }

    fn start_with(dir: &std::path::Path, extra: &[&str]) -> Moto {
        Moto::start_env(dir, extra, &[])
    }

    /// Starts scripts/emulator.py (moto with the AWS behaviours it names) with IAM
    /// enforcement: the first `free_requests` requests are not checked (to create the users
    /// and their policies), every later one is authorized against its caller's policies.
    pub fn start_enforcing_iam(free_requests: usize) -> Moto {
        let count = free_requests.to_string();
        Moto::start_env(
            &std::env::temp_dir(),
            &[],
            &[("INITIAL_NO_AUTH_ACTION_COUNT", count.as_str())],
        )
    }

    /// moto's server through scripts/emulator.py, which adds the AWS behaviours it names
    /// (and nothing else).
    fn start_env(dir: &std::path::Path, extra: &[&str], env: &[(&str, &str)]) -> Moto {
        // moto is installed beside the Python that runs it (otherwise this says how).
        moto_server();
        Moto::spawn(
            Command::new(super::test_python()).arg(super::repo_root().join("scripts/emulator.py")),
            dir,
            extra,
            env,
        )
    }

    fn spawn(
        command: &mut Command,
        dir: &std::path::Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Moto {
        let mut child = command
            .args(["-H", "127.0.0.1", "-p", "0"])
            .args(extra)
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto_server starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line
                    .find("Running on http://127.0.0.1:")
                    .or_else(|| line.find("Running on https://127.0.0.1:"))
                {
                    let _ = tx.send(line[i + "Running on ".len()..].trim().to_string());
                }
            }
        });
        let started = Instant::now();
        let endpoint = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("moto_server did not start in {:?}", started.elapsed()));
        Moto { child, endpoint }
    }

    /// Runs the binary against this emulator with test credentials.
    pub fn run(&self, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
        self.command(dir, args).output().expect("the binary runs")
    }

    /// The command [`Moto::run`] runs, for a test to add to.
    pub fn command(&self, dir: &std::path::Path, args: &[&str]) -> Command {
        let mut full = vec!["--endpoint-url", self.endpoint.as_str()];
        full.extend_from_slice(args);
        let mut command = Command::new(env!("CARGO_BIN_EXE_cfn-baseline"));
        command
            .args(&full)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .stdin(Stdio::null());
        command
    }

    /// Runs a Python snippet with boto3 against this emulator (`E` is its endpoint,
    /// `client(service, region)` makes a client); returns what the snippet prints.
    pub fn python(&self, code: &str) -> String {
        let out = Command::new(super::test_python())
            .arg("-c")
            .arg(format!(
                "import boto3, json, urllib.request\n\
                 E = {:?}\n\
                 def client(service, region='us-east-1'):\n    \
                     return boto3.client(service, endpoint_url=E, region_name=region, \
                     aws_access_key_id='testing', aws_secret_access_key='testing')\n\
                 {code}",
                self.endpoint
            ))
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A CloudFormation client for checking what the tool did.
    pub async fn cloudformation(&self, region: &str) -> aws_sdk_cloudformation::Client {
        let creds = aws_sdk_cloudformation::config::Credentials::new(
            "testing", "testing", None, None, "test",
        );
        let conf = aws_sdk_cloudformation::Config::builder()
            .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
            .http_client(http_client())
            .region(aws_sdk_cloudformation::config::Region::new(
                region.to_string(),
            ))
            .endpoint_url(&self.endpoint)
            .credentials_provider(creds)
            .build();
        aws_sdk_cloudformation::Client::from_conf(conf)
    }
}

impl Moto {
    /// An IAM client in the default account (for out-of-band changes and checks).
    pub fn iam(&self) -> aws_sdk_iam::Client {
        let creds = aws_sdk_iam::config::Credentials::new("testing", "testing", None, None, "test");
        aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::Config::builder()
                .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_iam::config::Region::new("us-east-1"))
                .endpoint_url(&self.endpoint)
                .credentials_provider(creds)
                .build(),
        )
    }

    pub fn account(&self) -> aws_sdk_account::Client {
        let creds =
            aws_sdk_account::config::Credentials::new("testing", "testing", None, None, "test");
        aws_sdk_account::Client::from_conf(
            aws_sdk_account::Config::builder()
                .behavior_version(aws_sdk_account::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_account::config::Region::new("us-east-1"))
                .endpoint_url(&self.endpoint)
                .credentials_provider(creds)
                .build(),
        )
    }

    pub fn inspector2(&self, region: &str) -> aws_sdk_inspector2::Client {
        let creds =
            aws_sdk_inspector2::config::Credentials::new("testing", "testing", None, None, "test");
        aws_sdk_inspector2::Client::from_conf(
            aws_sdk_inspector2::Config::builder()
                .behavior_version(aws_sdk_inspector2::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_inspector2::config::Region::new(region.to_string()))
                .endpoint_url(&self.endpoint)
                .credentials_provider(creds)
                .build(),
        )
    }

    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let creds = aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "test");
        aws_sdk_ec2::Client::from_conf(
            aws_sdk_ec2::Config::builder()
                .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_ec2::config::Region::new(region.to_string()))
                .endpoint_url(&self.endpoint)
                .credentials_provider(creds)
                .build(),
        )
    }

    pub fn shield(&self) -> aws_sdk_shield::Client {
        let creds =
            aws_sdk_shield::config::Credentials::new("testing", "testing", None, None, "test");
        aws_sdk_shield::Client::from_conf(
            aws_sdk_shield::Config::builder()
                .behavior_version(aws_sdk_shield::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_shield::config::Region::new("us-east-1"))
                .endpoint_url(&self.endpoint)
                .credentials_provider(creds)
                .build(),
        )
    }

    /// An S3 Control client that sends to the emulator's address as it is (its endpoint
    /// rules would put the account id in front of the host, `<account>.127.0.0.1`).
    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let creds =
            aws_sdk_s3control::config::Credentials::new("testing", "testing", None, None, "test");
        aws_sdk_s3control::Client::from_conf(
            aws_sdk_s3control::Config::builder()
                .behavior_version(aws_sdk_s3control::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_s3control::config::Region::new("us-east-1"))
                .endpoint_resolver(cfn_baseline::aws::EndpointAsGiven(self.endpoint.clone()))
                .credentials_provider(creds)
                .build(),
        )
    }

    /// A CloudFormation client in another account, through STS AssumeRole as a user would.
    pub async fn cloudformation_in(
        &self,
        region: &str,
        account: &str,
    ) -> aws_sdk_cloudformation::Client {
        let creds = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "test");
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::Config::builder()
                .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
                .http_client(http_client())
                .region(aws_sdk_sts::config::Region::new(region.to_string()))
                .endpoint_url(&self.endpoint)
                .credentials_provider(creds)
                .build(),
        );
        let assumed = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/test-reader"))
            .role_session_name("test")
            .send()
            .await
            .unwrap();
        let c = assumed.credentials().unwrap();
        let creds = aws_sdk_cloudformation::config::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "assumed",
        );
        let conf = aws_sdk_cloudformation::Config::builder()
            .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
            .http_client(http_client())
            .region(aws_sdk_cloudformation::config::Region::new(
                region.to_string(),
            ))
            .endpoint_url(&self.endpoint)
            .credentials_provider(creds)
            .build();
        aws_sdk_cloudformation::Client::from_conf(conf)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts the emulator's request recorder; it writes its file in the server's working
    /// directory (start the server with [`Moto::start_in`] a temporary one).
    pub fn start_recording(&self) {
        self.python(
            "urllib.request.urlopen(urllib.request.Request(E + '/moto-api/recorder/start-recording', method='POST'))",
        );
    }

    /// The emulator's recorded requests since recording started, as JSON lines.
    pub fn recording(&self) -> Vec<serde_json::Value> {
        let text = self.python(
            "print(urllib.request.urlopen(E + '/moto-api/recorder/download-recording').read().decode())",
        );
        // One JSON object per request, one after another.
        serde_json::Deserializer::from_str(&text)
            .into_iter::<serde_json::Value>()
            .map(|r| r.expect("a recorded request"))
            .collect()
    }
}

/// The form body of a recorded query-protocol request, decoded.
pub fn form(request: &serde_json::Value) -> String {
    let body = request["body"].as_str().unwrap_or_default();
    let raw = if request["body_encoded"].as_bool() == Some(true) {
        String::from_utf8(base64_decode(body)).unwrap_or_default()
    } else {
        body.to_string()
    };
    url_decode(&raw)
}

fn base64_decode(text: &str) -> Vec<u8> {
    let table = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter_map(table) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
