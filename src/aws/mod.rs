//! The only module that uses AWS SDK types. Everything else sees the narrow interface
//! below, named for what the tool does, and plain Rust types.

/// A service client for one region, sharing the account's configuration (credentials,
/// endpoint, retries).
macro_rules! regional {
    ($self:ident, $krate:ident, $region:expr) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from(&$self.config)
                .region(aws_config::Region::new($region.to_string()))
                .build(),
        )
    };
}

mod alerts;
mod controls;
mod discover;
mod organization;
mod reach;
mod sdk;
mod settings;
mod status;

use std::future::Future;

pub use reach::{Network, Reachability};
pub use sdk::{
    connect, connect_accounts, explain_errors, AccountAccess, Connections, Endpoint, SdkStacks,
};
pub use settings::EndpointAsGiven;
pub use status::{
    BeforeValueFrom, Capability, ChangeAction, ChangeSetStatus, DetectionStatus, DifferenceType,
    InstanceStatus, OperationResultStatus, OperationStatus, Replacement, ResourceDriftStatus,
    ResourceStatus, StackDriftStatus, StackSetStatus, StackStatus,
};

pub use crate::baseline::{CallAs, PermissionModel, RegionConcurrency};

/// A deployed stack, as far as the tool cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackState {
    pub stack_id: String,
    pub status: StackStatus,
    pub status_reason: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeSetKind {
    Create,
    Update,
    /// Brings existing resources under the stack (creating the stack when it is new).
    Import,
}

/// An existing resource an IMPORT change set brings under a stack.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImportTarget {
    pub logical_id: String,
    pub resource_type: String,
    /// The property that identifies it (`DetectorId`, `BucketName`, ...) and its value.
    pub identifier_key: String,
    pub identifier: String,
}

#[derive(Clone, Debug)]
pub struct ChangeSetRequest {
    pub region: String,
    pub stack_name: String,
    pub change_set_name: String,
    pub kind: ChangeSetKind,
    pub template_body: String,
    pub tags: Vec<(String, String)>,
    pub capabilities: Vec<Capability>,
    /// Makes a retried create safe.
    pub client_token: String,
    /// A drift-aware change set (DeploymentMode REVERT_DRIFT): it also puts back properties
    /// changed outside CloudFormation.
    pub revert_drift: bool,
    /// With [`ChangeSetKind::Import`]: the resources to bring under the stack.
    pub resources_to_import: Vec<ImportTarget>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceChange {
    pub action: ChangeAction,
    pub logical_id: String,
    pub resource_type: String,
    /// When the endpoint says.
    pub replacement: Option<Replacement>,
    /// Drift-aware change sets only.
    pub drift_status: Option<ResourceDriftStatus>,
    /// Drift-aware change sets only: the resource as it is live, as last deployed, and as the
    /// change set will leave it (JSON text, as the API returns it).
    pub live: Option<String>,
    pub last_deployed: Option<String>,
    pub new: Option<String>,
    /// Per-property details (drift-aware change sets say which come from the live state).
    pub details: Vec<ChangeDetail>,
}

/// One property a change set touches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeDetail {
    pub path: String,
    /// Add, Modify, Remove or SyncWithActual.
    pub change_type: Option<ChangeAction>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub before_from: Option<BeforeValueFrom>,
    /// The live value and the last deployed value, when the property drifted.
    pub actual: Option<String>,
    pub previous: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSetState {
    pub id: String,
    pub status: ChangeSetStatus,
    pub status_reason: Option<String>,
    pub changes: Vec<ResourceChange>,
    /// The endpoint made a drift-aware change set (DeploymentMode REVERT_DRIFT).
    pub revert_drift: bool,
}

/// The reasons CloudFormation gives when a change set failed only because it found nothing
/// to change.
const NO_CHANGES_REASONS: [&str; 2] = ["didn't contain changes", "No updates are to be performed"];

impl ChangeSetState {
    /// The change set failed only because the template and parameters change nothing.
    pub fn failed_without_changes(&self) -> bool {
        self.status.is_failed()
            && self
                .status_reason
                .as_deref()
                .is_some_and(|r| NO_CHANGES_REASONS.iter().any(|n| r.contains(n)))
    }
}

/// Where a drift detection run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriftDetection {
    pub status: DetectionStatus,
    pub reason: Option<String>,
    pub stack_drift_status: Option<StackDriftStatus>,
}

/// One resource's drift, as DescribeStackResourceDrifts reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    pub status: ResourceDriftStatus,
    pub differences: Vec<PropertyDifference>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyDifference {
    /// A JSON pointer into the resource, e.g. `/Properties/Features/0/Status`.
    pub path: String,
    /// JSON text (or a bare scalar) as the API returns it.
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub kind: DifferenceType,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEvent {
    pub event_id: String,
    pub timestamp: Option<String>,
    pub logical_id: String,
    pub resource_type: String,
    pub status: ResourceStatus,
    pub reason: Option<String>,
}

/// Errors the tool decides on, mapped from the SDK's in one place (src/aws/sdk.rs). Service
/// errors keep their code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The stack, change set, stack set or operation named does not exist.
    NotFound(String),
    /// "No updates are to be performed." and its relatives.
    NoChanges(String),
    /// Something of that name exists already (e.g. a change set left by an earlier run).
    AlreadyExists(String),
    /// Throttling that outlived the SDK's retries.
    Throttled(String),
    /// The endpoint does not implement the operation (e.g. the emulator's HTTP 500 page).
    Unsupported(String),
    /// The endpoint could not be reached (connection refused or reset, DNS, TLS, time-out).
    /// The request may have arrived.
    Transport(String),
    /// The request was not sent: the run's budget for reaching AWS had ended.
    NotSent(String),
    /// No usable credentials were found.
    Credentials(String),
    /// Any other service error.
    Api { code: String, message: String },
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::NotFound(m) => write!(f, "not found: {m}"),
            ApiError::NoChanges(m) => write!(f, "no changes: {m}"),
            ApiError::AlreadyExists(m) => write!(f, "already exists: {m}"),
            ApiError::Throttled(m) => write!(f, "throttled: {m}"),
            ApiError::Unsupported(op) => write!(f, "{op} is not supported by this endpoint"),
            ApiError::Transport(m) | ApiError::NotSent(m) => write!(f, "could not reach AWS: {m}"),
            ApiError::Credentials(m) => f.write_str(m),
            ApiError::Api { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// AWS could not be reached (whether or not the request was sent).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ApiError::Transport(_) | ApiError::NotSent(_))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A stack set as the tool sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSetState {
    pub status: StackSetStatus,
    pub template_body: String,
}

/// Where and how a stack set is managed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSetContext {
    /// The region the stack set lives in (the baseline's home region).
    pub region: String,
    pub call_as: CallAs,
}

#[derive(Clone, Debug)]
pub struct StackSetRequest {
    pub name: String,
    pub description: String,
    pub template_body: String,
    pub capabilities: Vec<Capability>,
    pub tags: Vec<(String, String)>,
    pub permission_model: PermissionModel,
    /// Service-managed: (enabled, retain stacks on account removal).
    pub auto_deployment: Option<(bool, bool)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationPreferences {
    pub max_concurrent_percentage: u32,
    pub failure_tolerance_percentage: u32,
    pub region_concurrency: RegionConcurrency,
    pub region_order: Vec<String>,
}

/// Instances to create or delete: every account (or OU) in every region listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceTargets {
    pub accounts: Vec<String>,
    pub organizational_units: Vec<String>,
    /// Accounts of the organizational units left out (an organization's management, log
    /// archive and security accounts, deployed as stacks).
    pub excluded_accounts: Vec<String>,
    pub regions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackInstance {
    pub account: String,
    pub region: String,
    /// The organizational unit it was deployed through (service-managed stack sets).
    pub organizational_unit: Option<String>,
    pub status: InstanceStatus,
    pub reason: Option<String>,
    /// After drift detection.
    pub drift_status: Option<StackDriftStatus>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationState {
    pub status: OperationStatus,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationResult {
    pub account: String,
    pub region: String,
    pub status: OperationResultStatus,
    pub reason: Option<String>,
}

/// What stack-set mode needs from CloudFormation (and IAM, for the permission check).
pub trait StackSetApi: Send + Sync + 'static {
    fn describe_stack_set(
        &self,
        ctx: &StackSetContext,
        name: &str,
    ) -> impl Future<Output = ApiResult<Option<StackSetState>>> + Send;

    fn create_stack_set(
        &self,
        ctx: &StackSetContext,
        request: &StackSetRequest,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// Updates the template of every instance; returns the operation id.
    fn update_stack_set(
        &self,
        ctx: &StackSetContext,
        request: &StackSetRequest,
        preferences: &OperationPreferences,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    fn stack_instances(
        &self,
        ctx: &StackSetContext,
        name: &str,
    ) -> impl Future<Output = ApiResult<Vec<StackInstance>>> + Send;

    fn create_stack_instances(
        &self,
        ctx: &StackSetContext,
        name: &str,
        targets: &InstanceTargets,
        preferences: &OperationPreferences,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    fn delete_stack_instances(
        &self,
        ctx: &StackSetContext,
        name: &str,
        targets: &InstanceTargets,
        retain_stacks: bool,
        preferences: &OperationPreferences,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    fn operation(
        &self,
        ctx: &StackSetContext,
        name: &str,
        operation_id: &str,
    ) -> impl Future<Output = ApiResult<OperationState>> + Send;

    fn operation_results(
        &self,
        ctx: &StackSetContext,
        name: &str,
        operation_id: &str,
    ) -> impl Future<Output = ApiResult<Vec<OperationResult>>> + Send;

    /// Names of the active stack sets whose description starts with `description_prefix`.
    fn stack_sets(
        &self,
        ctx: &StackSetContext,
        description_prefix: &str,
    ) -> impl Future<Output = ApiResult<Vec<String>>> + Send;

    /// Deletes a stack set that has no instances left.
    fn delete_stack_set(
        &self,
        ctx: &StackSetContext,
        name: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// Starts drift detection on every instance; returns the operation id.
    fn detect_stack_set_drift(
        &self,
        ctx: &StackSetContext,
        name: &str,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    /// Whether an IAM role of that name exists in the calling account.
    fn role_exists(&self, role_name: &str) -> impl Future<Output = ApiResult<bool>> + Send;
}

/// A resource the render names, to look for by that name; or one of a region's singletons
/// (Macie's session, Detective's graph), asked for by its type with no name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lookup {
    /// The CloudFormation type (`AWS::S3::Bucket`, `AWS::Logs::LogGroup`, `AWS::SNS::Topic`,
    /// `AWS::KMS::Alias`, `AWS::CloudTrail::Trail`, `AWS::Events::Rule`,
    /// `AWS::Chatbot::SlackChannelConfiguration`; `AWS::Macie::Session`,
    /// `AWS::Detective::Graph`).
    pub resource_type: String,
    pub name: String,
}

/// What is asked for by type: what exists is in `Found::macie` and `Found::graph`, and the
/// standards a region offers in `Found::standards_offered`.
pub const MACIE_SESSION: &str = "AWS::Macie::Session";
pub const DETECTIVE_GRAPH: &str = "AWS::Detective::Graph";
pub const SECURITY_HUB_STANDARD: &str = "AWS::SecurityHub::Standard";

impl Lookup {
    /// A singleton of a region, asked for by its type.
    pub fn singleton(resource_type: &str) -> Lookup {
        Lookup {
            resource_type: resource_type.to_string(),
            name: String::new(),
        }
    }

    /// Looked for by name (not a singleton).
    pub fn is_named(&self) -> bool {
        !self.name.is_empty()
    }
}

/// A protection plan (or one of its additional configurations): name and status.
pub type PlanStatus = (String, String);

/// A GuardDuty detector as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoundDetector {
    pub id: String,
    pub finding_frequency: Option<String>,
    /// Protection plans: name, status, and their additional configurations (name, status).
    pub features: Vec<(String, String, Vec<PlanStatus>)>,
    /// The administrator account that manages it, when it is a member's.
    pub administrator: Option<String>,
}

/// The Security Hub hub as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoundHub {
    pub arn: String,
    /// Enabled standards (standards ARN, subscription ARN); `None` when they could not be read.
    pub standards: Option<Vec<(String, String)>>,
    pub administrator: Option<String>,
}

/// A Config configuration recorder as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoundRecorder {
    pub name: String,
    pub role_arn: Option<String>,
}

/// An IAM Access Analyzer analyzer as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoundAnalyzer {
    pub name: String,
    pub arn: String,
    /// `ACCOUNT`, `ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION`, ...
    pub kind: String,
}

/// Amazon Macie in a region, when it is on (enabled or paused).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoundMacie {
    /// `ENABLED` or `PAUSED`; `None` when the answer could not be read.
    pub status: Option<String>,
    pub finding_frequency: Option<String>,
    /// The administrator account that manages it, when it is a member's.
    pub administrator: Option<String>,
}

/// What one account and region already has, found through the services' own APIs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub detector: Option<FoundDetector>,
    /// The account's analyzers (empty when the endpoint could not say).
    pub analyzers: Vec<FoundAnalyzer>,
    pub hub: Option<FoundHub>,
    pub recorders: Vec<FoundRecorder>,
    pub delivery_channels: Vec<String>,
    /// Macie, when it is on; `None` also when the endpoint could not say.
    pub macie: Option<FoundMacie>,
    /// The ARN of the Detective behavior graph this account administers here.
    pub graph: Option<String>,
    /// The organization trails that record this account here, by ARN (its own, and other
    /// accounts' as shadow trails); asked only where the render has a trail.
    pub organization_trails: Vec<String>,
    /// The Security Hub standards the region offers (their ARNs, from DescribeStandards);
    /// `None` when it could not say.
    pub standards_offered: Option<Vec<String>>,
    /// The key each KMS alias found by name points to (alias name -> key id).
    pub alias_targets: std::collections::BTreeMap<String, String>,
    /// The named resources looked for that exist, with the identifier an import names them
    /// by (the name itself, or the topic's ARN).
    pub named: std::collections::BTreeMap<Lookup, String>,
}

/// What plan and deploy ask before they change anything: what an account already has.
pub trait DiscoveryApi: Send + Sync + 'static {
    /// The security services' singletons in a region, and which of `lookups` exist there.
    fn discover(
        &self,
        region: &str,
        lookups: &[Lookup],
    ) -> impl Future<Output = ApiResult<Found>> + Send;

    /// Whether the service-linked role for `service` (e.g. `config.amazonaws.com`) exists.
    fn service_linked_role_exists(
        &self,
        service: &str,
    ) -> impl Future<Output = ApiResult<bool>> + Send;

    /// The regions enabled in the account (those enabled by default and those opted in).
    fn enabled_regions(&self) -> impl Future<Output = ApiResult<Vec<String>>> + Send;
}

/// An alert topic as SNS reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicState {
    pub subscriptions_confirmed: u32,
    /// Email subscribers who have not yet clicked the confirmation link get nothing.
    pub subscriptions_pending: u32,
}

/// What asking GuardDuty for its sample findings did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SampleFindings {
    /// Created in the detector named.
    Created { detector_id: String },
    /// The region has no detector.
    NoDetector,
}

/// What `alerts test` needs: the alert topics, publishing to them, GuardDuty's samples.
pub trait AlertsApi: Send + Sync + 'static {
    /// The topic, or None when it does not exist.
    fn topic(
        &self,
        region: &str,
        topic_arn: &str,
    ) -> impl Future<Output = ApiResult<Option<TopicState>>> + Send;

    /// Publishes one message; returns its message id.
    fn publish(
        &self,
        region: &str,
        topic_arn: &str,
        subject: &str,
        message: &str,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    /// Asks the region's detector for sample findings of `finding_types`.
    fn create_sample_findings(
        &self,
        region: &str,
        finding_types: &[String],
    ) -> impl Future<Output = ApiResult<SampleFindings>> + Send;
}

/// Security Hub's controls: which are disabled in which standard, and changing that.
pub trait ControlsApi: Send + Sync + 'static {
    /// The associations of `controls` with the enabled ones of `standards`, and of every
    /// control the baseline disabled earlier (found by the reason it wrote).
    fn controls(
        &self,
        region: &str,
        standards: &[String],
        controls: &[String],
    ) -> impl Future<Output = ApiResult<crate::settings::LiveControls>> + Send;

    /// Makes the changes; returns those Security Hub refused as not found (a control that is
    /// not in that standard, or not yet: a standard just enabled adds its controls over a
    /// few minutes).
    fn update_controls(
        &self,
        region: &str,
        updates: &[crate::settings::ControlUpdate],
    ) -> impl Future<Output = ApiResult<Vec<crate::settings::ControlUpdate>>> + Send;
}

/// The settings outside CloudFormation that have no type of their own
/// ([`crate::settings::Setting`]), as the JSON properties of their pseudo-resource.
pub trait SettingsApi: Send + Sync + 'static {
    /// What is set (`region` is `global` for an account-wide setting); None when nothing is.
    fn read_setting(
        &self,
        setting: crate::settings::Setting,
        account: &str,
        region: &str,
    ) -> impl Future<Output = ApiResult<Option<serde_json::Value>>> + Send;

    /// Sets the properties the baseline wants.
    fn apply_setting(
        &self,
        setting: crate::settings::Setting,
        account: &str,
        region: &str,
        properties: &serde_json::Value,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

/// What drift needs beyond deploy: detection and its results.
pub trait DriftApi: StackApi {
    /// Starts drift detection on a stack; returns the detection id.
    fn detect_stack_drift(
        &self,
        region: &str,
        stack_name: &str,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    fn drift_detection_status(
        &self,
        region: &str,
        detection_id: &str,
    ) -> impl Future<Output = ApiResult<DriftDetection>> + Send;

    /// Every resource's drift from the last detection (all pages).
    fn resource_drifts(
        &self,
        region: &str,
        stack_name: &str,
    ) -> impl Future<Output = ApiResult<Vec<ResourceDrift>>> + Send;
}

/// What deploy and plan need from CloudFormation, per region.
pub trait StackApi: Send + Sync + 'static {
    fn describe_stack(
        &self,
        region: &str,
        stack_name: &str,
    ) -> impl Future<Output = ApiResult<Option<StackState>>> + Send;

    /// The deployed template body, as sent.
    fn get_template(
        &self,
        region: &str,
        stack_name: &str,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    /// Returns the change set id.
    fn create_change_set(
        &self,
        request: &ChangeSetRequest,
    ) -> impl Future<Output = ApiResult<String>> + Send;

    fn describe_change_set(
        &self,
        region: &str,
        stack_name: &str,
        change_set_id: &str,
    ) -> impl Future<Output = ApiResult<ChangeSetState>> + Send;

    fn execute_change_set(
        &self,
        region: &str,
        stack_name: &str,
        change_set_id: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    fn delete_change_set(
        &self,
        region: &str,
        stack_name: &str,
        change_set_id: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    fn delete_stack(
        &self,
        region: &str,
        stack_name: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// The most recent events, newest first (one page).
    fn stack_events(
        &self,
        region: &str,
        stack_name: &str,
    ) -> impl Future<Output = ApiResult<Vec<StackEvent>>> + Send;

    /// Every live stack (not deleted) in the region, with its status and tags: one paginated
    /// DescribeStacks, so a run learns the state of all its stacks in one call per region.
    fn stacks(
        &self,
        region: &str,
    ) -> impl Future<Output = ApiResult<Vec<(String, StackState)>>> + Send;

    fn set_termination_protection(
        &self,
        region: &str,
        stack_name: &str,
        enabled: bool,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}
