//! One AWS call's outcome: its result, "nothing configured" (an expected error code such as
//! `NoSuchBucketPolicy`), or a [`CallFailure`] classified by AWS's error code; and the
//! per-account [`Recorder`] that turns failures into the summary's [`Failure`]s.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::summary::{Failure, FailureKind};

/// A failed call, before it is tied to an account and resource.
#[derive(Debug, Clone)]
pub(crate) struct CallFailure {
    pub kind: FailureKind,
    pub message: String,
}

/// Error codes that mean the throttling outlasted the SDK's retries.
const THROTTLING: [&str; 9] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "PriorRequestNotComplete",
];

/// Error codes AWS answers with for a region the account has not enabled.
const OPT_IN: [&str; 4] = [
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "OptInRequired",
];

/// The outcome of a call whose absence codes (`absent`) mean "nothing configured":
/// `Ok(Some(output))`, `Ok(None)` for an absence code, or the failure.
pub(crate) fn outcome<T, E>(
    result: Result<T, SdkError<E, Response>>,
    absent: &[&str],
) -> Result<Option<T>, CallFailure>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            if e.code().is_some_and(|c| absent.contains(&c)) {
                Ok(None)
            } else {
                Err(classify(&e))
            }
        }
    }
}

/// The outcome of a call that has no "nothing configured" answer.
pub(crate) fn required<T, E>(result: Result<T, SdkError<E, Response>>) -> Result<T, CallFailure>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    result.map_err(|e| classify(&e))
}

/// Classify an SDK error by its AWS error code (or, without one, by how it failed).
pub(crate) fn classify<E>(e: &SdkError<E, Response>) -> CallFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = e.code().map(str::to_string);
    let message = match (&code, e.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.clone(),
        _ => DisplayErrorContext(e).to_string(),
    };
    // An emulator answers an operation it lacks with HTTP 404 or 501 and no AWS error code.
    let status = e
        .raw_response()
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    if code.is_none() && matches!(status, 404 | 501) {
        return CallFailure {
            kind: FailureKind::NotImplemented,
            message: format!("HTTP {status} without an AWS error code"),
        };
    }
    let kind = match (e, code.as_deref()) {
        (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_), _) => FailureKind::Network,
        (_, Some(c)) if c.starts_with("AccessDenied") || c == "UnauthorizedOperation" => {
            FailureKind::AccessDenied
        }
        (_, Some("AuthorizationError" | "AuthorizationErrorException")) => {
            FailureKind::AccessDenied
        }
        (_, Some(c)) if THROTTLING.contains(&c) => FailureKind::Throttled,
        (_, Some(c)) if OPT_IN.contains(&c) => FailureKind::OptInRegion,
        (_, Some("NotImplemented" | "InvalidAction")) => FailureKind::NotImplemented,
        _ if message.contains("not yet implemented") || message.contains("not implemented") => {
            FailureKind::NotImplemented
        }
        _ => FailureKind::Other,
    };
    CallFailure { kind, message }
}

/// Collects the failures of one account's calls (shared by its concurrent tasks).
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    account: Arc<str>,
    failures: Arc<Mutex<Vec<Failure>>>,
}

impl Recorder {
    pub(crate) fn new(account: &str) -> Recorder {
        Recorder {
            account: Arc::from(account),
            failures: Arc::default(),
        }
    }

    /// The account the calls are for.
    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    /// Record that `operation` on `resource` failed.
    pub(crate) fn fail(
        &self,
        region: Option<&str>,
        resource: &str,
        operation: &str,
        f: CallFailure,
    ) {
        let failure = Failure {
            account: self.account.to_string(),
            region: region.map(str::to_string),
            resource: resource.to_string(),
            operation: operation.to_string(),
            kind: f.kind,
            message: f.message,
        };
        if let Ok(mut v) = self.failures.lock() {
            v.push(failure);
        }
    }

    /// The failures recorded so far.
    pub(crate) fn take(&self) -> Vec<Failure> {
        self.failures
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }

    /// How many failures were recorded so far.
    pub(crate) fn count(&self) -> usize {
        self.failures.lock().map(|v| v.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    type Error = SdkError<GetBucketPolicyError, Response>;
    type Result = std::result::Result<(), Error>;

    /// The error a service answers with (the tests wrap it in `Err`).
    fn service_error(status: u16, code: &str, message: &str) -> Error {
        let err = GetBucketPolicyError::generic(
            ErrorMetadata::builder().code(code).message(message).build(),
        );
        let raw = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        SdkError::service_error(err, raw)
    }

    #[test]
    fn error_codes_are_classified() {
        let kind = |status, code| {
            required(Result::Err(service_error(status, code, "m")))
                .unwrap_err()
                .kind
        };
        assert_eq!(kind(403, "AccessDenied"), FailureKind::AccessDenied);
        assert_eq!(
            kind(400, "AccessDeniedException"),
            FailureKind::AccessDenied
        );
        assert_eq!(kind(400, "ThrottlingException"), FailureKind::Throttled);
        assert_eq!(kind(503, "SlowDown"), FailureKind::Throttled);
        assert_eq!(
            kind(400, "UnrecognizedClientException"),
            FailureKind::OptInRegion
        );
        assert_eq!(kind(501, "NotImplemented"), FailureKind::NotImplemented);
        assert_eq!(kind(400, "InvalidParameterValue"), FailureKind::Other);
        // An emulator's 404 page for an operation it lacks (moto: account:ListRegions).
        let raw = Response::new(StatusCode::try_from(404).unwrap(), SdkBody::empty());
        let err = GetBucketPolicyError::generic(ErrorMetadata::builder().build());
        let r: Result = Err(SdkError::service_error(err, raw));
        assert_eq!(required(r).unwrap_err().kind, FailureKind::NotImplemented);
    }

    #[test]
    fn the_message_keeps_the_code_and_aws_text() {
        let f = required(Result::Err(service_error(
            403,
            "AccessDenied",
            "not authorized to s3:GetBucketPolicy",
        )))
        .unwrap_err();
        assert_eq!(
            f.message,
            "AccessDenied: not authorized to s3:GetBucketPolicy"
        );
    }

    #[test]
    fn an_absence_code_is_nothing_configured_and_other_codes_fail() {
        let absent = ["NoSuchBucketPolicy"];
        assert!(matches!(
            outcome(
                Result::Err(service_error(404, "NoSuchBucketPolicy", "none")),
                &absent
            ),
            Ok(None)
        ));
        assert!(outcome(
            Result::Err(service_error(403, "AccessDenied", "no")),
            &absent
        )
        .is_err());
        assert!(matches!(outcome(Result::Ok(()), &absent), Ok(Some(()))));
    }

    #[test]
    fn the_recorder_ties_failures_to_account_region_and_resource() {
        let rec = Recorder::new("111122223333");
        let f = required(Result::Err(service_error(403, "AccessDenied", "no"))).unwrap_err();
        rec.fail(Some("eu-west-1"), "arn:aws:s3:::b", "s3:GetBucketPolicy", f);
        assert_eq!(rec.count(), 1);
        let got = rec.take();
        assert_eq!(got[0].account, "111122223333");
        assert_eq!(got[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(got[0].resource, "arn:aws:s3:::b");
        assert_eq!(got[0].kind, FailureKind::AccessDenied);
        assert_eq!(rec.count(), 0);
    }
}
