//! The SDK configuration: aws-config's standard credential chain and region, one HTTPS
//! client (hyper + rustls over `ring`, so that no SDK crate builds aws-lc), the standard
//! retry mode with backoff, and per-region clients for each service.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

/// How many attempts the SDK makes per call (standard retry mode: exponential backoff
/// with jitter, on throttling and transient errors) before a call counts as failed.
const MAX_ATTEMPTS: u32 = 6;

/// The region global services (IAM, Organizations, STS, account) are called in when the
/// configuration names none.
pub(crate) const HOME_REGION: &str = "us-east-1";

/// Load the base configuration: `--profile` or the default chain, `AWS_ENDPOINT_URL`
/// (read by aws-config) honoured.
pub(crate) async fn load(profile: Option<&str>) -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    let mut conf = loader.load().await;
    if conf.region().is_none() {
        conf = conf.into_builder().region(Region::new(HOME_REGION)).build();
    }
    conf
}

/// The same configuration in another region.
pub(crate) fn in_region(conf: &SdkConfig, region: &str) -> SdkConfig {
    conf.clone()
        .into_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// Whether an endpoint URL replaces AWS's (`AWS_ENDPOINT_URL`, a local emulator): S3 then
/// uses path-style addressing and S3 Control the URL as given, without the account-id host
/// prefix that only AWS's own DNS resolves.
pub(crate) fn custom_endpoint(conf: &SdkConfig) -> Option<String> {
    conf.endpoint_url().map(str::to_string)
}

/// An S3 client for `region`.
pub(crate) fn s3(conf: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
    let mut b = aws_sdk_s3::config::Builder::from(&in_region(conf, region));
    if custom_endpoint(conf).is_some() {
        b = b.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(b.build())
}

/// An S3 Control client (account-level Block Public Access).
pub(crate) fn s3control(conf: &SdkConfig) -> aws_sdk_s3control::Client {
    let mut b = aws_sdk_s3control::config::Builder::from(conf);
    if let Some(url) = custom_endpoint(conf) {
        b = b.endpoint_resolver(FixedEndpoint(url));
    }
    aws_sdk_s3control::Client::from_conf(b.build())
}

/// An endpoint resolver that answers one URL for every request.
#[derive(Debug, Clone)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        let endpoint = aws_smithy_types::endpoint::Endpoint::builder()
            .url(self.0.clone())
            .build();
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(endpoint))
    }
}
