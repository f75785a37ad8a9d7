//! Account ingest: loading real AWS account data into one typed [`Model`].
//!
//! [`load`] walks the `-i PATH` inputs (files, or directories read recursively) and detects
//! each file's format by its content: `aws iam get-account-authorization-details` output
//! (GAAD, possibly paginated and for several accounts), resource policies (`resources.json`
//! or the raw outputs of the services' `get-*-policy` commands), S3 Block Public Access,
//! bucket ACLs and Object Ownership (`s3_read`, modelled in `s3_public`), an
//! `organization.json`, credential report CSVs, and the IAM password policy and account
//! summary (`iam_account`). `docs/inputs.md` documents every format and file-name convention.
//! [`context::fill`] then adds the global condition keys AWS itself fills to a request.

mod builder;
mod compute;
pub mod context;
mod credential_report;
mod doc_texts;
mod documents;
mod error;
mod gaad;
mod gaad_page;
mod iam_account;
mod loader;
mod managed;
mod model;
mod organization;
mod read;
mod resources;
mod roots;
mod s3_public;
mod s3_read;
pub mod service_keys;
mod vpc_endpoints;

pub use error::IngestError;
pub use loader::{has_extension, io_error, is_hidden, load, read_text};
pub use model::{
    AccessKeyStatus, AccountId, AccountSummary, Compute, ComputeRole, ComputeType,
    CredentialReportRow, EnabledPolicyTypes, Group, InlinePolicy, InstanceProfile, ManagedPolicy,
    Model, OrgAccount, OrgNode, OrgPolicy, OrgPolicyKind, Organization, OrganizationalUnit,
    PasswordPolicy, PasswordPolicyState, PolicyAttachment, PolicyOwner, PolicyTypesOrigin,
    Resource, ResourceType, Role, RoleLastUsed, Severity, Source, Tags, User, VpcEndpoint, Warning,
    WarningKind,
};
pub use s3_public::{
    AclGrant, AclGrantee, AclPermission, BucketAccess, BucketAcl, EffectiveBlock, ObjectOwnership,
    PublicAccessBlock,
};
