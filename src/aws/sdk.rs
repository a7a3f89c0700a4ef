//! The narrow interface implemented with the AWS SDK for Rust.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{ChangeSetType, DeploymentMode, Tag, TemplateStage};
use aws_sdk_cloudformation::Client;

use super::*;

/// Where to reach AWS and how long to keep trying when it cannot be reached.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Where `endpoint_url` came from, for messages: `--endpoint-url` or `AWS_ENDPOINT_URL`.
    pub endpoint_source: &'static str,
    /// How long the run keeps trying once AWS stops answering (one budget for the whole run,
    /// and the longest any one call waits): the run stops within about this long of losing
    /// the network.
    pub network_timeout: Duration,
}

/// Connection attempts give up after this; a reachable endpoint answers in well under it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One attempt of a call gives up after this (CloudFormation answers in a second or two).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// Attempts per call within the SDK. Few, because the tool retries what outlives them where
/// it can say so: throttling in `fanout::patiently`, a network that cannot be reached (or an
/// endpoint answering 502-504) within the run's budget in [`Reachability`], with news of it
/// on the terminal.
const SDK_ATTEMPTS: u32 = 2;

/// Loads the standard credential chain (environment, profiles, SSO, role assumption) with an
/// optional profile, region and endpoint, and the time-outs that bound a call.
async fn load(to: &Endpoint, profile: Option<&str>) -> anyhow::Result<SdkConfig> {
    if let Some(name) = profile {
        check_profile(name).await?;
    }
    let (region, endpoint_url) = (to.region.as_deref(), to.endpoint_url.as_deref());
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(to.network_timeout))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT.min(to.network_timeout))
        .operation_timeout(to.network_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(RetryConfig::standard().with_max_attempts(SDK_ATTEMPTS))
        .timeout_config(timeouts);
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(Region::new(r.to_string()));
    }
    if let Some(u) = endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        anyhow::bail!("no AWS region configured; pass --region or set AWS_REGION");
    }
    Ok(config)
}

/// The one HTTPS client every SDK client shares: hyper with rustls on the ring provider and
/// the platform's trust store (Cargo.toml says why not the SDK's default aws-lc build).
fn https_client() -> aws_sdk_cloudformation::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// A profile named on the command line (or in the baseline) must exist in the shared config
/// or credentials file; otherwise the credential chain would quietly try the next source.
async fn check_profile(name: &str) -> anyhow::Result<()> {
    use aws_types::os_shim_internal::{Env, Fs};
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
        .map_err(|e| anyhow::anyhow!("reading the AWS profile files: {e}"))?;
    if set.get_profile(name).is_some() {
        return Ok(());
    }
    let mut known: Vec<&str> = set.profiles().collect();
    known.sort();
    anyhow::bail!(
        "the AWS profile `{name}` does not exist in the shared config or credentials file \
         (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE); {}",
        if known.is_empty() {
            "no profiles are defined there; run `aws configure --profile NAME` or `aws configure sso`"
                .to_string()
        } else {
            format!("the profiles there are: {}", known.join(", "))
        }
    )
}

/// The account the configured credentials belong to (STS GetCallerIdentity).
async fn account_of(config: &SdkConfig, to: &Endpoint) -> anyhow::Result<String> {
    let identity = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            // Where it tried to connect, and why there, when the connection is the problem.
            let place = match &e {
                SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                    match &to.endpoint_url {
                        Some(url) => format!(" (endpoint {url}, from {})", to.endpoint_source),
                        None => format!(
                            " (AWS's STS endpoint for region {})",
                            to.region.as_deref().unwrap_or("of the profile")
                        ),
                    }
                }
                _ => String::new(),
            };
            anyhow::anyhow!(
                "STS GetCallerIdentity failed: {}{place}",
                describe_sdk_error(&e)
            )
        })?;
    Ok(identity
        .account()
        .ok_or_else(|| anyhow::anyhow!("STS GetCallerIdentity returned no account"))?
        .to_string())
}

/// Connects with the standard chain. Returns the interface and the caller's account id.
pub async fn connect(to: &Endpoint) -> anyhow::Result<(SdkStacks, String)> {
    let config = load(to, to.profile.as_deref()).await?;
    let account = account_of(&config, to)
        .await
        .map_err(|e| anyhow::anyhow!("cannot identify the caller: {e:#}"))?;
    let reach = Arc::new(Reachability::new(to.network_timeout));
    Ok((SdkStacks::new(config, reach), account))
}

/// How the baseline says to reach one target account.
#[derive(Clone, Debug)]
pub struct AccountAccess {
    pub id: String,
    pub role_arn: Option<String>,
    pub profile: Option<String>,
}

/// Every target account the tool could reach, and the ones it could not.
pub struct Connections {
    pub caller: String,
    /// (account id, how it was reached, interface), in the baseline's order.
    pub reached: Vec<(String, String, SdkStacks)>,
    /// Accounts with neither a role nor a profile that are not the caller's.
    pub unreachable: Vec<String>,
}

/// Connects to the caller's account and to every target account: through its `role_arn`
/// (AssumeRole from the caller's credentials), its `profile`, or the caller's credentials
/// when it is the caller's account. Each account reached is checked with STS, so a role or
/// profile that lands in another account is an error before anything changes.
pub async fn connect_accounts(
    to: &Endpoint,
    accounts: &[AccountAccess],
) -> anyhow::Result<Connections> {
    let base = load(to, to.profile.as_deref()).await?;
    let caller = account_of(&base, to)
        .await
        .map_err(|e| anyhow::anyhow!("cannot identify the caller: {e:#}"))?;
    let mut reached = Vec::new();
    let mut unreachable = Vec::new();
    let run_reach = Arc::new(Reachability::new(to.network_timeout));
    if accounts.is_empty() {
        reached.push((
            caller.clone(),
            "your credentials".to_string(),
            SdkStacks::new(base, run_reach),
        ));
        return Ok(Connections {
            caller,
            reached,
            unreachable,
        });
    }
    // Every account at once (a few at a time, for STS's rate limits): each costs an
    // AssumeRole and a GetCallerIdentity, so one after another they would make an estate's
    // run as many round trips deep as it has accounts.
    let limit = Arc::new(tokio::sync::Semaphore::new(CONNECT_CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for (i, access) in accounts.iter().cloned().enumerate() {
        let (base, caller, limit, to) = (base.clone(), caller.clone(), limit.clone(), to.clone());
        let run_reach = run_reach.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            let reached = reach(&base, &caller, &access, &to, run_reach).await;
            (i, access.id, reached)
        });
    }
    let mut results = Vec::new();
    while let Some(done) = set.join_next().await {
        results.push(done.expect("connecting to an account"));
    }
    results.sort_by_key(|(i, _, _)| *i);
    for (_, id, result) in results {
        match result? {
            Some((how, stacks)) => reached.push((id, how, stacks)),
            None => unreachable.push(id),
        }
    }
    Ok(Connections {
        caller,
        reached,
        unreachable,
    })
}

/// Accounts connected to at once.
const CONNECT_CONCURRENCY: usize = 16;

/// Reaches one account through its role, its profile or the caller's credentials, and checks
/// with STS that it is the account the baseline names. `None`: no way in.
async fn reach(
    base: &SdkConfig,
    caller: &str,
    access: &AccountAccess,
    to: &Endpoint,
    run_reach: Arc<Reachability>,
) -> anyhow::Result<Option<(String, SdkStacks)>> {
    let (config, how) = if let Some(role) = &access.role_arn {
        let provider = aws_config::sts::AssumeRoleProvider::builder(role.clone())
            .session_name("cfn-baseline")
            .configure(base)
            .build()
            .await;
        let config = base
            .to_builder()
            .credentials_provider(
                aws_sdk_cloudformation::config::SharedCredentialsProvider::new(provider),
            )
            .build();
        (config, format!("role {role}"))
    } else if let Some(p) = &access.profile {
        (load(to, Some(p)).await?, format!("profile {p}"))
    } else if access.id == caller {
        (base.clone(), "your credentials".to_string())
    } else {
        return Ok(None);
    };
    let actual = account_of(&config, to)
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach account {} through {how}: {e:#}", access.id))?;
    if actual != access.id {
        anyhow::bail!(
            "{how} leads to account {actual}, not {} as the baseline says; nothing was changed",
            access.id
        );
    }
    Ok(Some((how, SdkStacks::new(config, run_reach))))
}

const NO_CREDENTIALS: &str = "no usable AWS credentials";

/// What to do when no credentials were found.
const CREDENTIALS_HINT: &str = "set AWS_PROFILE (or pass --profile), export \
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`";

/// An error's causes as sentences, outermost first: their `Display`, never `Debug`.
fn causes(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !out.iter().any(|seen| seen.contains(&text)) {
            out.push(text);
        }
        next = e.source();
    }
    out
}

/// The credentials failure somewhere in an error's causes, if that is what it is.
fn credentials_failure<'e>(
    err: &'e (dyn std::error::Error + 'static),
) -> Option<&'e aws_credential_types::provider::error::CredentialsError> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(c) = e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
        {
            return Some(c);
        }
        next = e.source();
    }
    None
}

/// Whether errors carry their whole chain of causes (`--verbose`).
static EXPLAIN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// With `on`, every error from AWS also gives its chain of causes, outermost first.
pub fn explain_errors(on: bool) {
    EXPLAIN.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// An SDK error as a sentence ([`summarize_sdk_error`]), with its chain of causes under
/// `--verbose`.
fn describe_sdk_error<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let sentence = summarize_sdk_error(e);
    if !EXPLAIN.load(std::sync::atomic::Ordering::Relaxed) {
        return sentence;
    }
    let chain = causes(e);
    if chain.len() < 2 {
        return sentence;
    }
    format!("{sentence} [causes: {}]", chain.join(" → "))
}

/// An SDK error that carries no service error code, as a sentence: no credentials, the
/// endpoint unreachable (and why, in the operating system's words), a time-out.
fn summarize_sdk_error<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let (Some(c), Some(m)) = (e.code(), e.message()) {
        return format!("{c}: {m}");
    }
    let all = causes(e);
    if let Some(c) = credentials_failure(e) {
        let why: Vec<String> = causes(c).into_iter().skip(1).collect();
        // What to do first; the last source's complaint (often the instance metadata
        // service, the chain's last resort) only after it.
        return if why.is_empty() {
            format!("{NO_CREDENTIALS}: {CREDENTIALS_HINT}")
        } else {
            format!(
                "{NO_CREDENTIALS}: {CREDENTIALS_HINT} (the sources tried said: {})",
                why.join(": ")
            )
        };
    }
    let innermost = all
        .last()
        .cloned()
        .unwrap_or_else(|| "no detail".to_string());
    match e {
        SdkError::TimeoutError(_) => "timed out waiting for an answer".to_string(),
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            format!("timed out connecting ({innermost})")
        }
        SdkError::DispatchFailure(d) if d.is_io() => format!("could not connect ({innermost})"),
        SdkError::DispatchFailure(_) => format!("could not send the request ({innermost})"),
        SdkError::ResponseError(_) => format!("the answer could not be read ({innermost})"),
        _ => all.join(": "),
    }
}

pub struct SdkStacks {
    pub(super) config: SdkConfig,
    clients: Mutex<HashMap<String, Client>>,
    fixed: Option<Client>,
    /// A Security Hub client for every region (one built with canned responses).
    pub(super) fixed_securityhub: Option<aws_sdk_securityhub::Client>,
    /// EC2 and SSM clients for every region (built with canned responses, for the account
    /// settings the emulator does not implement).
    pub(super) fixed_ec2: Option<aws_sdk_ec2::Client>,
    pub(super) fixed_ssm: Option<aws_sdk_ssm::Client>,
    /// A Shield client (canned responses, for proactive engagement).
    pub(super) fixed_shield: Option<aws_sdk_shield::Client>,
    /// A Macie client for every region (canned responses, for discovery jobs).
    pub(super) fixed_macie: Option<aws_sdk_macie2::Client>,
    /// Chatbot and Detective clients (canned responses: the emulator has neither service).
    pub(super) fixed_chatbot: Option<aws_sdk_chatbot::Client>,
    pub(super) fixed_detective: Option<aws_sdk_detective::Client>,
    pub(super) fixed_organizations: Option<aws_sdk_organizations::Client>,
    pub(super) fixed_guardduty: Option<aws_sdk_guardduty::Client>,
    pub(super) fixed_inspector2: Option<aws_sdk_inspector2::Client>,
    /// The run's budget for losing the network, shared by every account's clients.
    pub(super) reach: Arc<Reachability>,
}

impl SdkStacks {
    fn new(config: SdkConfig, reach: Arc<Reachability>) -> SdkStacks {
        SdkStacks {
            config,
            clients: Mutex::new(HashMap::new()),
            fixed: None,
            fixed_securityhub: None,
            fixed_ec2: None,
            fixed_ssm: None,
            fixed_shield: None,
            fixed_macie: None,
            fixed_chatbot: None,
            fixed_detective: None,
            fixed_organizations: None,
            fixed_guardduty: None,
            fixed_inspector2: None,
            reach,
        }
    }

    /// News of the network as the run's calls find it.
    pub fn network(&self) -> tokio::sync::watch::Receiver<Network> {
        self.reach.watch()
    }

    /// Uses this CloudFormation client for every region (e.g. one built with canned
    /// responses). IAM calls use the default configuration.
    pub fn with_client(client: Client) -> SdkStacks {
        SdkStacks {
            config: SdkConfig::builder()
                .behavior_version(BehaviorVersion::latest())
                .build(),
            clients: Mutex::new(HashMap::new()),
            fixed: Some(client),
            fixed_securityhub: None,
            fixed_ec2: None,
            fixed_ssm: None,
            fixed_shield: None,
            fixed_macie: None,
            fixed_chatbot: None,
            fixed_detective: None,
            fixed_organizations: None,
            fixed_guardduty: None,
            fixed_inspector2: None,
            reach: Arc::new(Reachability::new(Duration::from_secs(60))),
        }
    }

    /// Uses this Security Hub client for every region (e.g. one built with canned
    /// responses).
    pub fn with_securityhub(mut self, client: aws_sdk_securityhub::Client) -> SdkStacks {
        self.fixed_securityhub = Some(client);
        self
    }

    /// Uses this EC2 client for every region.
    pub fn with_ec2(mut self, client: aws_sdk_ec2::Client) -> SdkStacks {
        self.fixed_ec2 = Some(client);
        self
    }

    /// Uses this SSM client for every region.
    pub fn with_ssm(mut self, client: aws_sdk_ssm::Client) -> SdkStacks {
        self.fixed_ssm = Some(client);
        self
    }

    /// Uses this Macie client for every region.
    pub fn with_macie(mut self, client: aws_sdk_macie2::Client) -> SdkStacks {
        self.fixed_macie = Some(client);
        self
    }

    /// Uses this Chatbot client.
    pub fn with_chatbot(mut self, client: aws_sdk_chatbot::Client) -> SdkStacks {
        self.fixed_chatbot = Some(client);
        self
    }

    /// Uses this Detective client for every region.
    pub fn with_detective(mut self, client: aws_sdk_detective::Client) -> SdkStacks {
        self.fixed_detective = Some(client);
        self
    }

    /// Uses this Shield client (global).
    pub fn with_shield(mut self, client: aws_sdk_shield::Client) -> SdkStacks {
        self.fixed_shield = Some(client);
        self
    }

    pub(super) fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        match &self.fixed_ec2 {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_ec2, region),
        }
    }

    pub(super) fn securityhub(&self, region: &str) -> aws_sdk_securityhub::Client {
        match &self.fixed_securityhub {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_securityhub, region),
        }
    }

    pub(super) fn macie(&self, region: &str) -> aws_sdk_macie2::Client {
        match &self.fixed_macie {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_macie2, region),
        }
    }

    /// Organizations answers in one region of each partition; the SDK's endpoint rules
    /// send every region's requests there.
    pub(super) fn organizations(&self) -> aws_sdk_organizations::Client {
        match &self.fixed_organizations {
            Some(c) => c.clone(),
            None => aws_sdk_organizations::Client::new(&self.config),
        }
    }

    /// The GuardDuty client of a region (for the organization configuration).
    pub(super) fn guardduty(&self, region: &str) -> aws_sdk_guardduty::Client {
        match &self.fixed_guardduty {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_guardduty, region),
        }
    }

    /// Uses this GuardDuty client (every region).
    pub fn with_guardduty(mut self, client: aws_sdk_guardduty::Client) -> SdkStacks {
        self.fixed_guardduty = Some(client);
        self
    }

    /// The Inspector client of a region.
    pub(super) fn inspector2(&self, region: &str) -> aws_sdk_inspector2::Client {
        match &self.fixed_inspector2 {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_inspector2, region),
        }
    }

    /// Uses this Inspector client (every region).
    pub fn with_inspector2(mut self, client: aws_sdk_inspector2::Client) -> SdkStacks {
        self.fixed_inspector2 = Some(client);
        self
    }

    /// Uses this Organizations client.
    pub fn with_organizations(mut self, client: aws_sdk_organizations::Client) -> SdkStacks {
        self.fixed_organizations = Some(client);
        self
    }

    pub(super) fn detective(&self, region: &str) -> aws_sdk_detective::Client {
        match &self.fixed_detective {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_detective, region),
        }
    }

    /// Chatbot's API answers in a few regions only, and a configuration is the account's
    /// in every region: asked in `region` (one of those).
    pub(super) fn chatbot(&self, region: &str) -> aws_sdk_chatbot::Client {
        match &self.fixed_chatbot {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_chatbot, region),
        }
    }

    pub(super) fn ssm(&self, region: &str) -> aws_sdk_ssm::Client {
        match &self.fixed_ssm {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_ssm, region),
        }
    }

    pub(super) fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.config)
    }

    pub(super) fn client(&self, region: &str) -> Client {
        if let Some(c) = &self.fixed {
            return c.clone();
        }
        let mut clients = self.clients.lock().expect("client map");
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let conf = aws_sdk_cloudformation::config::Builder::from(&self.config)
                    .region(Region::new(region.to_string()))
                    .build();
                Client::from_conf(conf)
            })
            .clone()
    }
}

/// The one place SDK errors become the tool's typed errors.
pub(super) fn api_error<E>(operation: &str, err: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let code = err.code().map(str::to_string);
    let message = err.message().map(str::to_string).unwrap_or_default();
    match code.as_deref() {
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            ApiError::Throttled(message)
        }
        // A gateway or an overloaded endpoint, once the SDK's own retries are spent: as good
        // as unreachable, so it is retried within the run's network budget.
        _ if matches!(status, Some(502..=504)) => ApiError::Transport(format!(
            "{operation}: AWS answered HTTP {}{}",
            status.unwrap_or_default(),
            if message.is_empty() {
                String::new()
            } else {
                format!(" ({message})")
            }
        )),
        Some("ValidationError") if message.contains("No updates are to be performed") => {
            ApiError::NoChanges(message)
        }
        // CloudFormation says a stack or change set is missing with a ValidationError.
        Some("ValidationError") if message.contains("does not exist") => {
            ApiError::NotFound(message)
        }
        Some("AlreadyExistsException") => ApiError::AlreadyExists(message),
        Some(
            "ChangeSetNotFound"
            | "ChangeSetNotFoundException"
            | "StackSetNotFoundException"
            | "OperationNotFoundException"
            | "StackInstanceNotFoundException",
        ) => ApiError::NotFound(message),
        Some(code) => ApiError::Api {
            code: code.to_string(),
            message,
        },
        // 501 Not Implemented: the endpoint does not offer the operation. Only that signal
        // skips; any other answer without an error code is a failure to read, never "not
        // offered" (a bare 404 or 500 may be a proxy or an outage as well).
        None if status == Some(501) => ApiError::Unsupported(operation.to_string()),
        None if matches!(status, Some(400..=599)) => ApiError::Api {
            code: format!("HTTP{}", status.unwrap_or_default()),
            message: format!(
                "{operation}: the endpoint answered HTTP {} with no error code{}",
                status.unwrap_or_default(),
                if message.is_empty() {
                    String::new()
                } else {
                    format!(" ({message})")
                }
            ),
        },
        None => match &err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                if credentials_failure(&err).is_some() {
                    ApiError::Credentials(describe_sdk_error(&err))
                } else {
                    ApiError::Transport(format!("{operation}: {}", describe_sdk_error(&err)))
                }
            }
            _ => ApiError::Api {
                code: operation.to_string(),
                message: describe_sdk_error(&err),
            },
        },
    }
}

fn stack_state(s: &aws_sdk_cloudformation::types::Stack) -> StackState {
    StackState {
        stack_id: s.stack_id().unwrap_or_default().to_string(),
        status: s
            .stack_status()
            .map(|x| x.as_str().into())
            .unwrap_or_else(|| "".into()),
        status_reason: s.stack_status_reason().map(str::to_string),
        tags: s
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    }
}

impl StackApi for SdkStacks {
    async fn describe_stack(
        &self,
        region: &str,
        stack_name: &str,
    ) -> ApiResult<Option<StackState>> {
        self.reach
            .call("DescribeStack", || async move {
                let out = match self
                    .client(region)
                    .describe_stacks()
                    .stack_name(stack_name)
                    .send()
                    .await
                {
                    Ok(out) => out,
                    Err(e) => {
                        return match api_error("DescribeStacks", e) {
                            ApiError::NotFound(_) => Ok(None),
                            err => Err(err),
                        }
                    }
                };
                Ok(out.stacks().first().map(stack_state))
            })
            .await
    }

    async fn stacks(&self, region: &str) -> ApiResult<Vec<(String, StackState)>> {
        self.reach
            .call("Stacks", || async move {
                let mut pages = self
                    .client(region)
                    .describe_stacks()
                    .into_paginator()
                    .send();
                let mut out = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("DescribeStacks", e))?;
                    for s in page.stacks() {
                        let state = stack_state(s);
                        if !state.status.is_deleted() {
                            out.push((s.stack_name().unwrap_or_default().to_string(), state));
                        }
                    }
                }
                out.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(out)
            })
            .await
    }

    async fn get_template(&self, region: &str, stack_name: &str) -> ApiResult<String> {
        self.reach
            .call("GetTemplate", || async move {
                let out = self
                    .client(region)
                    .get_template()
                    .stack_name(stack_name)
                    .template_stage(TemplateStage::Original)
                    .send()
                    .await
                    .map_err(|e| api_error("GetTemplate", e))?;
                Ok(out.template_body().unwrap_or_default().to_string())
            })
            .await
    }

    async fn create_change_set(&self, r: &ChangeSetRequest) -> ApiResult<String> {
        self.reach
            .call("CreateChangeSet", || async move {
                let tags = r
                    .tags
                    .iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build())
                    .collect::<Vec<_>>();
                let out = self
                    .client(&r.region)
                    .create_change_set()
                    .stack_name(&r.stack_name)
                    .change_set_name(&r.change_set_name)
                    .change_set_type(match r.kind {
                        ChangeSetKind::Create => ChangeSetType::Create,
                        ChangeSetKind::Update => ChangeSetType::Update,
                        ChangeSetKind::Import => ChangeSetType::Import,
                    })
                    .set_resources_to_import(resources_to_import(&r.resources_to_import))
                    .template_body(&r.template_body)
                    .set_tags(Some(tags))
                    .set_capabilities(sdk_capabilities(&r.capabilities))
                    .client_token(&r.client_token)
                    .set_deployment_mode(r.revert_drift.then_some(DeploymentMode::RevertDrift))
                    .description("cfn-baseline")
                    .send()
                    .await
                    .map_err(|e| api_error("CreateChangeSet", e))?;
                Ok(out.id().unwrap_or_default().to_string())
            })
            .await
    }

    async fn describe_change_set(
        &self,
        region: &str,
        stack_name: &str,
        id: &str,
    ) -> ApiResult<ChangeSetState> {
        self.reach
            .call("DescribeChangeSet", || async move {
                let out = self
                    .client(region)
                    .describe_change_set()
                    .stack_name(stack_name)
                    .change_set_name(id)
                    .include_property_values(true)
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeChangeSet", e))?;
                Ok(ChangeSetState {
                    id: out.change_set_id().unwrap_or(id).to_string(),
                    status: out
                        .status()
                        .map(|s| s.as_str().into())
                        .unwrap_or_else(|| "".into()),
                    status_reason: out.status_reason().map(str::to_string),
                    changes: out
                        .changes()
                        .iter()
                        .filter_map(|c| c.resource_change())
                        .map(|rc| ResourceChange {
                            action: rc
                                .action()
                                .map(|a| a.as_str().into())
                                .unwrap_or_else(|| "".into()),
                            logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                            resource_type: rc.resource_type().unwrap_or_default().to_string(),
                            replacement: rc.replacement().map(|r| r.as_str().into()),
                            drift_status: rc.resource_drift_status().map(|d| d.as_str().into()),
                            live: rc.before_context().map(str::to_string),
                            last_deployed: rc.previous_deployment_context().map(str::to_string),
                            new: rc.after_context().map(str::to_string),
                            details: rc
                                .details()
                                .iter()
                                .filter_map(|d| d.target())
                                .map(|t| ChangeDetail {
                                    path: t.path().or(t.name()).unwrap_or_default().to_string(),
                                    change_type: t
                                        .attribute_change_type()
                                        .map(|c| c.as_str().into()),
                                    before: t.before_value().map(str::to_string),
                                    after: t.after_value().map(str::to_string),
                                    before_from: t.before_value_from().map(|b| b.as_str().into()),
                                    actual: t
                                        .drift()
                                        .and_then(|d| d.actual_value())
                                        .map(str::to_string),
                                    previous: t
                                        .drift()
                                        .and_then(|d| d.previous_value())
                                        .map(str::to_string),
                                })
                                .collect(),
                        })
                        .collect(),
                    revert_drift: out.deployment_mode() == Some(&DeploymentMode::RevertDrift),
                })
            })
            .await
    }

    async fn execute_change_set(&self, region: &str, stack_name: &str, id: &str) -> ApiResult<()> {
        self.reach
            .call("ExecuteChangeSet", || async move {
                self.client(region)
                    .execute_change_set()
                    .stack_name(stack_name)
                    .change_set_name(id)
                    .send()
                    .await
                    .map_err(|e| api_error("ExecuteChangeSet", e))?;
                Ok(())
            })
            .await
    }

    async fn delete_change_set(&self, region: &str, stack_name: &str, id: &str) -> ApiResult<()> {
        self.reach
            .call("DeleteChangeSet", || async move {
                self.client(region)
                    .delete_change_set()
                    .stack_name(stack_name)
                    .change_set_name(id)
                    .send()
                    .await
                    .map_err(|e| api_error("DeleteChangeSet", e))?;
                Ok(())
            })
            .await
    }

    async fn delete_stack(&self, region: &str, stack_name: &str) -> ApiResult<()> {
        self.reach
            .call("DeleteStack", || async move {
                self.client(region)
                    .delete_stack()
                    .stack_name(stack_name)
                    .send()
                    .await
                    .map_err(|e| api_error("DeleteStack", e))?;
                Ok(())
            })
            .await
    }

    async fn stack_events(&self, region: &str, stack_name: &str) -> ApiResult<Vec<StackEvent>> {
        self.reach
            .call("StackEvents", || async move {
                let out = self
                    .client(region)
                    .describe_stack_events()
                    .stack_name(stack_name)
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeStackEvents", e))?;
                Ok(out
                    .stack_events()
                    .iter()
                    .map(|e| StackEvent {
                        event_id: e.event_id().unwrap_or_default().to_string(),
                        timestamp: e.timestamp().map(|t| t.to_string()),
                        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                        resource_type: e.resource_type().unwrap_or_default().to_string(),
                        status: e
                            .resource_status()
                            .map(|s| s.as_str().into())
                            .unwrap_or_else(|| "".into()),
                        reason: e.resource_status_reason().map(str::to_string),
                    })
                    .collect())
            })
            .await
    }

    async fn set_termination_protection(
        &self,
        region: &str,
        stack_name: &str,
        enabled: bool,
    ) -> ApiResult<()> {
        self.reach
            .call("SetTerminationProtection", || async move {
                self.client(region)
                    .update_termination_protection()
                    .stack_name(stack_name)
                    .enable_termination_protection(enabled)
                    .customize()
                    // An endpoint without this operation answers 500; do not retry that for seconds.
                    .config_override(
                        aws_sdk_cloudformation::config::Builder::default()
                            .retry_config(RetryConfig::standard().with_max_attempts(2)),
                    )
                    .send()
                    .await
                    .map_err(|e| api_error("UpdateTerminationProtection", e))?;
                Ok(())
            })
            .await
    }
}

impl DriftApi for SdkStacks {
    async fn detect_stack_drift(&self, region: &str, stack_name: &str) -> ApiResult<String> {
        self.reach
            .call("DetectStackDrift", || async move {
                let out = self
                    .client(region)
                    .detect_stack_drift()
                    .stack_name(stack_name)
                    .customize()
                    // An endpoint without drift detection answers 500; say so rather than retry.
                    .config_override(
                        aws_sdk_cloudformation::config::Builder::default()
                            .retry_config(RetryConfig::standard().with_max_attempts(2)),
                    )
                    .send()
                    .await
                    .map_err(|e| api_error("DetectStackDrift", e))?;
                Ok(out
                    .stack_drift_detection_id()
                    .unwrap_or_default()
                    .to_string())
            })
            .await
    }

    async fn drift_detection_status(&self, region: &str, id: &str) -> ApiResult<DriftDetection> {
        self.reach
            .call("DriftDetectionStatus", || async move {
                let out = self
                    .client(region)
                    .describe_stack_drift_detection_status()
                    .stack_drift_detection_id(id)
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeStackDriftDetectionStatus", e))?;
                Ok(DriftDetection {
                    status: out
                        .detection_status()
                        .map(|s| s.as_str().into())
                        .unwrap_or_else(|| "".into()),
                    reason: out.detection_status_reason().map(str::to_string),
                    stack_drift_status: out.stack_drift_status().map(|s| s.as_str().into()),
                })
            })
            .await
    }

    async fn resource_drifts(
        &self,
        region: &str,
        stack_name: &str,
    ) -> ApiResult<Vec<ResourceDrift>> {
        self.reach
            .call("ResourceDrifts", || async move {
                let mut pages = self
                    .client(region)
                    .describe_stack_resource_drifts()
                    .stack_name(stack_name)
                    .into_paginator()
                    .send();
                let mut out = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("DescribeStackResourceDrifts", e))?;
                    for d in page.stack_resource_drifts() {
                        out.push(ResourceDrift {
                            logical_id: d.logical_resource_id().unwrap_or_default().to_string(),
                            resource_type: d.resource_type().unwrap_or_default().to_string(),
                            status: d
                                .stack_resource_drift_status()
                                .map(|s| s.as_str().into())
                                .unwrap_or_else(|| "".into()),
                            differences: d
                                .property_differences()
                                .iter()
                                .map(|p| PropertyDifference {
                                    path: p.property_path().unwrap_or_default().to_string(),
                                    expected: p.expected_value().map(str::to_string),
                                    actual: p.actual_value().map(str::to_string),
                                    kind: p
                                        .difference_type()
                                        .map(|k| k.as_str().into())
                                        .unwrap_or_else(|| "".into()),
                                })
                                .collect(),
                        });
                    }
                }
                Ok(out)
            })
            .await
    }
}

fn call_as(ctx: &StackSetContext) -> aws_sdk_cloudformation::types::CallAs {
    match ctx.call_as {
        CallAs::SelfAccount => aws_sdk_cloudformation::types::CallAs::SelfValue,
        CallAs::DelegatedAdmin => aws_sdk_cloudformation::types::CallAs::DelegatedAdmin,
    }
}

fn preferences(
    p: &OperationPreferences,
) -> aws_sdk_cloudformation::types::StackSetOperationPreferences {
    aws_sdk_cloudformation::types::StackSetOperationPreferences::builder()
        .max_concurrent_percentage(p.max_concurrent_percentage as i32)
        .failure_tolerance_percentage(p.failure_tolerance_percentage as i32)
        .region_concurrency_type(match p.region_concurrency {
            RegionConcurrency::Parallel => {
                aws_sdk_cloudformation::types::RegionConcurrencyType::Parallel
            }
            RegionConcurrency::Sequential => {
                aws_sdk_cloudformation::types::RegionConcurrencyType::Sequential
            }
        })
        .set_region_order(Some(p.region_order.clone()))
        .build()
}

fn resources_to_import(
    targets: &[ImportTarget],
) -> Option<Vec<aws_sdk_cloudformation::types::ResourceToImport>> {
    (!targets.is_empty()).then(|| {
        targets
            .iter()
            .map(|t| {
                aws_sdk_cloudformation::types::ResourceToImport::builder()
                    .resource_type(&t.resource_type)
                    .logical_resource_id(&t.logical_id)
                    .resource_identifier(&t.identifier_key, &t.identifier)
                    .build()
            })
            .collect()
    })
}

fn sdk_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn sdk_capabilities(
    capabilities: &[Capability],
) -> Option<Vec<aws_sdk_cloudformation::types::Capability>> {
    (!capabilities.is_empty()).then(|| {
        capabilities
            .iter()
            .map(|c| aws_sdk_cloudformation::types::Capability::from(c.as_str()))
            .collect()
    })
}

fn targets(
    t: &InstanceTargets,
) -> (
    Option<Vec<String>>,
    Option<aws_sdk_cloudformation::types::DeploymentTargets>,
) {
    if t.organizational_units.is_empty() {
        (Some(t.accounts.clone()), None)
    } else {
        (
            None,
            Some(
                aws_sdk_cloudformation::types::DeploymentTargets::builder()
                    .set_organizational_unit_ids(Some(t.organizational_units.clone()))
                    .set_accounts(
                        (!t.excluded_accounts.is_empty()).then(|| t.excluded_accounts.clone()),
                    )
                    .set_account_filter_type(
                        (!t.excluded_accounts.is_empty()).then_some(
                            aws_sdk_cloudformation::types::AccountFilterType::Difference,
                        ),
                    )
                    .build(),
            ),
        )
    }
}

impl StackSetApi for SdkStacks {
    async fn describe_stack_set(
        &self,
        ctx: &StackSetContext,
        name: &str,
    ) -> ApiResult<Option<StackSetState>> {
        self.reach
            .call("DescribeStackSet", || async move {
                match self
                    .client(&ctx.region)
                    .describe_stack_set()
                    .stack_set_name(name)
                    .call_as(call_as(ctx))
                    .send()
                    .await
                {
                    Ok(out) => Ok(out
                        .stack_set()
                        .map(|s| StackSetState {
                            status: s
                                .status()
                                .map(|x| x.as_str().into())
                                .unwrap_or_else(|| "".into()),
                            template_body: s.template_body().unwrap_or_default().to_string(),
                        })
                        .filter(|s| s.status != StackSetStatus::Deleted)),
                    Err(e) => {
                        if e.as_service_error()
                            .is_some_and(|s| s.is_stack_set_not_found_exception())
                        {
                            return Ok(None);
                        }
                        match api_error("DescribeStackSet", e) {
                            ApiError::NotFound(_) => Ok(None),
                            err => Err(err),
                        }
                    }
                }
            })
            .await
    }

    async fn create_stack_set(&self, ctx: &StackSetContext, r: &StackSetRequest) -> ApiResult<()> {
        self.reach
            .call("CreateStackSet", || async move {
                self.client(&ctx.region)
                    .create_stack_set()
                    .stack_set_name(&r.name)
                    .description(&r.description)
                    .template_body(&r.template_body)
                    .set_capabilities(sdk_capabilities(&r.capabilities))
                    .set_tags(Some(sdk_tags(&r.tags)))
                    .permission_model(match r.permission_model {
                        PermissionModel::SelfManaged => {
                            aws_sdk_cloudformation::types::PermissionModels::SelfManaged
                        }
                        PermissionModel::ServiceManaged => {
                            aws_sdk_cloudformation::types::PermissionModels::ServiceManaged
                        }
                    })
                    .set_auto_deployment(r.auto_deployment.map(|(enabled, retain)| {
                        aws_sdk_cloudformation::types::AutoDeployment::builder()
                            .enabled(enabled)
                            .retain_stacks_on_account_removal(retain)
                            .build()
                    }))
                    .call_as(call_as(ctx))
                    .send()
                    .await
                    .map_err(|e| api_error("CreateStackSet", e))?;
                Ok(())
            })
            .await
    }

    async fn update_stack_set(
        &self,
        ctx: &StackSetContext,
        r: &StackSetRequest,
        p: &OperationPreferences,
    ) -> ApiResult<String> {
        self.reach
            .call("UpdateStackSet", || async move {
                let out = self
                    .client(&ctx.region)
                    .update_stack_set()
                    .stack_set_name(&r.name)
                    .description(&r.description)
                    .template_body(&r.template_body)
                    .set_capabilities(sdk_capabilities(&r.capabilities))
                    .set_tags(Some(sdk_tags(&r.tags)))
                    .operation_preferences(preferences(p))
                    .call_as(call_as(ctx))
                    .send()
                    .await
                    .map_err(|e| api_error("UpdateStackSet", e))?;
                Ok(out.operation_id().unwrap_or_default().to_string())
            })
            .await
    }

    async fn stack_instances(
        &self,
        ctx: &StackSetContext,
        name: &str,
    ) -> ApiResult<Vec<StackInstance>> {
        self.reach
            .call("StackInstances", || async move {
                let mut pages = self
                    .client(&ctx.region)
                    .list_stack_instances()
                    .stack_set_name(name)
                    .call_as(call_as(ctx))
                    .into_paginator()
                    .send();
                let mut out = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("ListStackInstances", e))?;
                    for i in page.summaries() {
                        out.push(StackInstance {
                            account: i.account().unwrap_or_default().to_string(),
                            region: i.region().unwrap_or_default().to_string(),
                            organizational_unit: i.organizational_unit_id().map(str::to_string),
                            status: i
                                .status()
                                .map(|s| s.as_str().into())
                                .unwrap_or_else(|| "".into()),
                            reason: i.status_reason().map(str::to_string),
                            drift_status: i.drift_status().map(|d| d.as_str().into()),
                        });
                    }
                }
                Ok(out)
            })
            .await
    }

    async fn create_stack_instances(
        &self,
        ctx: &StackSetContext,
        name: &str,
        t: &InstanceTargets,
        p: &OperationPreferences,
    ) -> ApiResult<String> {
        self.reach
            .call("CreateStackInstances", || async move {
                let (accounts, deployment_targets) = targets(t);
                let out = self
                    .client(&ctx.region)
                    .create_stack_instances()
                    .stack_set_name(name)
                    .set_accounts(accounts)
                    .set_deployment_targets(deployment_targets)
                    .set_regions(Some(t.regions.clone()))
                    .operation_preferences(preferences(p))
                    .call_as(call_as(ctx))
                    .send()
                    .await
                    .map_err(|e| api_error("CreateStackInstances", e))?;
                Ok(out.operation_id().unwrap_or_default().to_string())
            })
            .await
    }

    async fn delete_stack_instances(
        &self,
        ctx: &StackSetContext,
        name: &str,
        t: &InstanceTargets,
        retain_stacks: bool,
        p: &OperationPreferences,
    ) -> ApiResult<String> {
        self.reach
            .call("DeleteStackInstances", || async move {
                let (accounts, deployment_targets) = targets(t);
                let out = self
                    .client(&ctx.region)
                    .delete_stack_instances()
                    .stack_set_name(name)
                    .set_accounts(accounts)
                    .set_deployment_targets(deployment_targets)
                    .set_regions(Some(t.regions.clone()))
                    .retain_stacks(retain_stacks)
                    .operation_preferences(preferences(p))
                    .call_as(call_as(ctx))
                    .send()
                    .await
                    .map_err(|e| api_error("DeleteStackInstances", e))?;
                Ok(out.operation_id().unwrap_or_default().to_string())
            })
            .await
    }

    async fn operation(
        &self,
        ctx: &StackSetContext,
        name: &str,
        id: &str,
    ) -> ApiResult<OperationState> {
        self.reach
            .call("Operation", || async move {
                let out = self
                    .client(&ctx.region)
                    .describe_stack_set_operation()
                    .stack_set_name(name)
                    .operation_id(id)
                    .call_as(call_as(ctx))
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeStackSetOperation", e))?;
                let op = out.stack_set_operation();
                Ok(OperationState {
                    status: op
                        .and_then(|o| o.status())
                        .map(|s| s.as_str().into())
                        .unwrap_or_else(|| "".into()),
                    reason: op.and_then(|o| o.status_reason()).map(str::to_string),
                })
            })
            .await
    }

    async fn operation_results(
        &self,
        ctx: &StackSetContext,
        name: &str,
        id: &str,
    ) -> ApiResult<Vec<OperationResult>> {
        self.reach
            .call("OperationResults", || async move {
                let mut pages = self
                    .client(&ctx.region)
                    .list_stack_set_operation_results()
                    .stack_set_name(name)
                    .operation_id(id)
                    .call_as(call_as(ctx))
                    .into_paginator()
                    .send();
                let mut out = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("ListStackSetOperationResults", e))?;
                    for r in page.summaries() {
                        out.push(OperationResult {
                            account: r.account().unwrap_or_default().to_string(),
                            region: r.region().unwrap_or_default().to_string(),
                            status: r
                                .status()
                                .map(|s| s.as_str().into())
                                .unwrap_or_else(|| "".into()),
                            reason: r.status_reason().map(str::to_string),
                        });
                    }
                }
                Ok(out)
            })
            .await
    }

    async fn stack_sets(&self, ctx: &StackSetContext, prefix: &str) -> ApiResult<Vec<String>> {
        self.reach
            .call("StackSets", || async move {
                let mut pages = self
                    .client(&ctx.region)
                    .list_stack_sets()
                    .status(aws_sdk_cloudformation::types::StackSetStatus::Active)
                    .call_as(call_as(ctx))
                    .into_paginator()
                    .send();
                let mut out = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("ListStackSets", e))?;
                    for s in page.summaries() {
                        let active = s.status().is_none_or(|st| {
                            StackSetStatus::from(st.as_str()) != StackSetStatus::Deleted
                        });
                        if active && s.description().is_some_and(|d| d.starts_with(prefix)) {
                            out.push(s.stack_set_name().unwrap_or_default().to_string());
                        }
                    }
                }
                out.sort();
                Ok(out)
            })
            .await
    }

    async fn delete_stack_set(&self, ctx: &StackSetContext, name: &str) -> ApiResult<()> {
        self.reach
            .call("DeleteStackSet", || async move {
                self.client(&ctx.region)
                    .delete_stack_set()
                    .stack_set_name(name)
                    .call_as(call_as(ctx))
                    .send()
                    .await
                    .map_err(|e| api_error("DeleteStackSet", e))?;
                Ok(())
            })
            .await
    }

    async fn detect_stack_set_drift(&self, ctx: &StackSetContext, name: &str) -> ApiResult<String> {
        self.reach
            .call("DetectStackSetDrift", || async move {
                let out = self
                    .client(&ctx.region)
                    .detect_stack_set_drift()
                    .stack_set_name(name)
                    .call_as(call_as(ctx))
                    .customize()
                    .config_override(
                        aws_sdk_cloudformation::config::Builder::default()
                            .retry_config(RetryConfig::standard().with_max_attempts(2)),
                    )
                    .send()
                    .await
                    .map_err(|e| api_error("DetectStackSetDrift", e))?;
                Ok(out.operation_id().unwrap_or_default().to_string())
            })
            .await
    }

    async fn role_exists(&self, role_name: &str) -> ApiResult<bool> {
        self.reach
            .call("RoleExists", || async move {
                match self.iam().get_role().role_name(role_name).send().await {
                    Ok(_) => Ok(true),
                    Err(e) => {
                        if e.as_service_error()
                            .is_some_and(|s| s.is_no_such_entity_exception())
                        {
                            Ok(false)
                        } else {
                            Err(api_error("GetRole", e))
                        }
                    }
                }
            })
            .await
    }
}

#[cfg(test)]
mod error_tests {
    //! How `api_error` reads the errors the SDK returns: built as the SDK builds them from
    //! an answer (status and error metadata).
    use super::*;
    use aws_sdk_cloudformation::error::ErrorMetadata;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
    use aws_smithy_types::body::SdkBody;

    fn answer(status: u16, code: Option<&str>, message: &str) -> ApiError {
        let mut meta = ErrorMetadata::builder().message(message);
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let raw = HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
            SdkBody::empty(),
        );
        api_error(
            "DescribeStacks",
            SdkError::service_error(DescribeStacksError::generic(meta.build()), raw),
        )
    }

    #[test]
    fn each_answer_is_classified_by_its_code_and_status() {
        assert!(matches!(
            answer(400, Some("Throttling"), "Rate exceeded"),
            ApiError::Throttled(_)
        ));
        assert!(matches!(
            answer(
                400,
                Some("ValidationError"),
                "No updates are to be performed."
            ),
            ApiError::NoChanges(_)
        ));
        assert!(matches!(
            answer(
                400,
                Some("ValidationError"),
                "Stack with id x does not exist"
            ),
            ApiError::NotFound(_)
        ));
        match answer(
            400,
            Some("AccessDenied"),
            "not authorized to perform: cloudformation:DescribeStacks",
        ) {
            ApiError::Api { code, .. } => assert_eq!(code, "AccessDenied"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(answer(503, None, ""), ApiError::Transport(_)));
        // Only 501 says the operation is not offered; a bare 500 or 404 is a failure.
        assert!(matches!(answer(501, None, ""), ApiError::Unsupported(_)));
        for status in [500, 404] {
            match answer(status, None, "") {
                ApiError::Api { code, message } => {
                    assert_eq!(code, format!("HTTP{status}"));
                    assert!(message.contains("no error code"), "{message}");
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }
}
