//! The service's enumerations as our own types. The SDK's enums are converted here, once, and
//! everything outside `aws` decides on these variants and their predicates, never on text.
//! A value this version does not know is kept as `Unknown(text)`, so nothing is lost.

macro_rules! aws_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the tool does not know.
            Unknown(String),
        }

        impl $name {
            /// The service's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> $name {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        /// Nothing said yet (an empty value).
        impl Default for $name {
            fn default() -> $name {
                $name::Unknown(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

aws_enum! {
    /// A stack's status.
    pub enum StackStatus {
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateFailed = "CREATE_FAILED",
        CreateComplete = "CREATE_COMPLETE",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        RollbackFailed = "ROLLBACK_FAILED",
        RollbackComplete = "ROLLBACK_COMPLETE",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteFailed = "DELETE_FAILED",
        DeleteComplete = "DELETE_COMPLETE",
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        UpdateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateComplete = "UPDATE_COMPLETE",
        UpdateFailed = "UPDATE_FAILED",
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
        /// A stack made by a create change set that was never executed: an empty shell.
        ReviewInProgress = "REVIEW_IN_PROGRESS",
        ImportInProgress = "IMPORT_IN_PROGRESS",
        ImportComplete = "IMPORT_COMPLETE",
        ImportRollbackInProgress = "IMPORT_ROLLBACK_IN_PROGRESS",
        ImportRollbackFailed = "IMPORT_ROLLBACK_FAILED",
        ImportRollbackComplete = "IMPORT_ROLLBACK_COMPLETE",
    }
}

impl StackStatus {
    /// CloudFormation is changing the stack; wait before touching it. An empty shell
    /// (REVIEW_IN_PROGRESS) waits for nothing, so it does not count.
    pub fn is_in_progress(&self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS") && *self != StackStatus::ReviewInProgress
    }

    /// The empty shell a never-executed create change set leaves.
    pub fn is_review(&self) -> bool {
        *self == StackStatus::ReviewInProgress
    }

    /// The first create failed and was rolled back: the stack cannot be updated, only
    /// deleted and made again.
    pub fn is_failed_create(&self) -> bool {
        matches!(
            self,
            StackStatus::RollbackComplete | StackStatus::RollbackFailed
        )
    }

    pub fn is_deleted(&self) -> bool {
        *self == StackStatus::DeleteComplete
    }

    pub fn is_delete_failed(&self) -> bool {
        *self == StackStatus::DeleteFailed
    }

    /// Something deployed lives here (neither absent, deleted nor an empty shell).
    pub fn is_deployed(&self) -> bool {
        !self.is_review() && !self.is_deleted()
    }

    /// Why a stack that exists holds nothing to count on, in words (None: its template is
    /// what is deployed): a first create that was rolled back left nothing, and a delete
    /// that did not finish left an unknown part.
    pub fn not_in_service(&self) -> Option<&'static str> {
        if self.is_failed_create() {
            Some(
                "its first create failed and was rolled back, so nothing of it is deployed \
                 (`deploy --replace-failed` makes it anew)",
            )
        } else if self.is_delete_failed() {
            Some("a delete did not finish, so an unknown part of it remains")
        } else {
            None
        }
    }

    /// A rollback of any kind has run or is running.
    pub fn is_rollback(&self) -> bool {
        self.as_str().contains("ROLLBACK")
    }

    /// The last change finished well: created, updated or imported, with no rollback.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            StackStatus::CreateComplete | StackStatus::UpdateComplete | StackStatus::ImportComplete
        )
    }
}

aws_enum! {
    /// A resource's (or the stack's own) status in a stack event.
    pub enum ResourceStatus {
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateFailed = "CREATE_FAILED",
        CreateComplete = "CREATE_COMPLETE",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteFailed = "DELETE_FAILED",
        DeleteComplete = "DELETE_COMPLETE",
        DeleteSkipped = "DELETE_SKIPPED",
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        UpdateFailed = "UPDATE_FAILED",
        UpdateComplete = "UPDATE_COMPLETE",
        ImportInProgress = "IMPORT_IN_PROGRESS",
        ImportFailed = "IMPORT_FAILED",
        ImportComplete = "IMPORT_COMPLETE",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        RollbackFailed = "ROLLBACK_FAILED",
        RollbackComplete = "ROLLBACK_COMPLETE",
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
    }
}

impl ResourceStatus {
    /// The event reports a failure (its reason says why).
    pub fn is_failed(&self) -> bool {
        self.as_str().ends_with("_FAILED")
    }
}

aws_enum! {
    pub enum ChangeSetStatus {
        CreatePending = "CREATE_PENDING",
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateComplete = "CREATE_COMPLETE",
        DeletePending = "DELETE_PENDING",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteComplete = "DELETE_COMPLETE",
        DeleteFailed = "DELETE_FAILED",
        Failed = "FAILED",
    }
}

impl ChangeSetStatus {
    /// Ready to execute (or to read its changes).
    pub fn is_ready(&self) -> bool {
        *self == ChangeSetStatus::CreateComplete
    }

    pub fn is_failed(&self) -> bool {
        *self == ChangeSetStatus::Failed
    }
}

aws_enum! {
    /// What a change set does to one resource.
    pub enum ChangeAction {
        Add = "Add",
        Modify = "Modify",
        Remove = "Remove",
        Import = "Import",
        Dynamic = "Dynamic",
        SyncWithActual = "SyncWithActual",
    }
}

aws_enum! {
    /// Whether a change replaces the resource.
    pub enum Replacement {
        True = "True",
        False = "False",
        Conditional = "Conditional",
    }
}

impl Replacement {
    /// The resource is (or may be) deleted and made anew: its data and identity can go.
    pub fn may_replace(&self) -> bool {
        matches!(self, Replacement::True | Replacement::Conditional)
    }
}

aws_enum! {
    /// Where a drift-aware change set took a property's "before" value from.
    pub enum BeforeValueFrom {
        ActualState = "ACTUAL_STATE",
        PreviousDeploymentState = "PREVIOUS_DEPLOYMENT_STATE",
    }
}

aws_enum! {
    pub enum DetectionStatus {
        InProgress = "DETECTION_IN_PROGRESS",
        Complete = "DETECTION_COMPLETE",
        Failed = "DETECTION_FAILED",
    }
}

impl DetectionStatus {
    pub fn is_in_progress(&self) -> bool {
        *self == DetectionStatus::InProgress
    }

    pub fn is_failed(&self) -> bool {
        *self == DetectionStatus::Failed
    }
}

aws_enum! {
    /// A stack's (or stack instance's) drift.
    pub enum StackDriftStatus {
        Drifted = "DRIFTED",
        InSync = "IN_SYNC",
        NotChecked = "NOT_CHECKED",
        /// Drift could not be determined.
        Undetermined = "UNKNOWN",
    }
}

aws_enum! {
    /// One resource's drift.
    pub enum ResourceDriftStatus {
        InSync = "IN_SYNC",
        Modified = "MODIFIED",
        Deleted = "DELETED",
        NotChecked = "NOT_CHECKED",
        Unsupported = "UNSUPPORTED",
        /// Drift could not be determined.
        Undetermined = "UNKNOWN",
    }
}

impl ResourceDriftStatus {
    /// Drift detection does not look at this resource type.
    pub fn is_not_checked(&self) -> bool {
        matches!(
            self,
            ResourceDriftStatus::NotChecked | ResourceDriftStatus::Unsupported
        )
    }
}

aws_enum! {
    /// How a drifted property differs.
    pub enum DifferenceType {
        Add = "ADD",
        Remove = "REMOVE",
        NotEqual = "NOT_EQUAL",
    }
}

aws_enum! {
    pub enum StackSetStatus {
        Active = "ACTIVE",
        Deleted = "DELETED",
    }
}

aws_enum! {
    pub enum InstanceStatus {
        Current = "CURRENT",
        Outdated = "OUTDATED",
        Inoperable = "INOPERABLE",
    }
}

aws_enum! {
    /// A stack-set operation's status.
    pub enum OperationStatus {
        Queued = "QUEUED",
        Running = "RUNNING",
        Stopping = "STOPPING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Stopped = "STOPPED",
    }
}

impl OperationStatus {
    /// The operation will not change any more.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            OperationStatus::Succeeded | OperationStatus::Failed | OperationStatus::Stopped
        )
    }

    pub fn is_success(&self) -> bool {
        *self == OperationStatus::Succeeded
    }
}

aws_enum! {
    /// One account x region's result within a stack-set operation.
    pub enum OperationResultStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
    }
}

impl OperationResultStatus {
    pub fn is_failed(&self) -> bool {
        *self == OperationResultStatus::Failed
    }
}

aws_enum! {
    /// What a template needs acknowledged before CloudFormation will deploy it.
    pub enum Capability {
        Iam = "CAPABILITY_IAM",
        NamedIam = "CAPABILITY_NAMED_IAM",
        AutoExpand = "CAPABILITY_AUTO_EXPAND",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_and_unknown_ones_are_kept() {
        for s in ["ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "UPDATE_COMPLETE"] {
            assert_eq!(StackStatus::from(s).as_str(), s);
            assert!(!matches!(StackStatus::from(s), StackStatus::Unknown(_)));
        }
        let odd = StackStatus::from("SOMETHING_NEW_IN_PROGRESS");
        assert_eq!(
            odd,
            StackStatus::Unknown("SOMETHING_NEW_IN_PROGRESS".into())
        );
        assert!(odd.is_in_progress(), "an unknown *_IN_PROGRESS still waits");
        assert_eq!(
            StackDriftStatus::from("UNKNOWN"),
            StackDriftStatus::Undetermined
        );
    }

    #[test]
    fn predicates() {
        assert!(StackStatus::UpdateRollbackCompleteCleanupInProgress.is_in_progress());
        assert!(!StackStatus::ReviewInProgress.is_in_progress());
        assert!(StackStatus::ReviewInProgress.is_review());
        assert!(StackStatus::RollbackComplete.is_failed_create());
        assert!(!StackStatus::UpdateRollbackComplete.is_failed_create());
        assert!(StackStatus::UpdateRollbackComplete.is_rollback());
        assert!(ResourceStatus::from("IMPORT_ROLLBACK_FAILED").is_failed());
        assert!(!ResourceStatus::CreateComplete.is_failed());
        assert!(OperationStatus::Stopped.is_finished());
        assert!(!OperationStatus::Stopping.is_finished());
        assert!(Replacement::Conditional.may_replace());
        assert!(ResourceDriftStatus::Unsupported.is_not_checked());
    }
}
