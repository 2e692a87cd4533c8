//! Logs, traces and metrics for every binary: `tracing` with JSON or readable output, spans
//! exported over OTLP when an endpoint is configured (W3C `traceparent` honoured), and
//! Prometheus metrics ([`metrics`]).

pub mod metrics;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::tonic_types::transport::{Certificate, ClientTlsConfig};
use opentelemetry_otlp::{WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How log lines are written to standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, with the fields of every enclosing span (production).
    Json,
    /// Human-readable lines (development).
    Pretty,
}

#[derive(Debug, Clone)]
pub struct TelemetrySettings {
    pub service_name: String,
    pub log_format: LogFormat,
    /// An `EnvFilter` directive, e.g. `info,tisseco=debug`.
    pub log_filter: String,
    /// Where to send spans (OTLP/gRPC, e.g. `http://localhost:4317`, or `https://…`);
    /// none: no export.
    pub otlp_endpoint: Option<String>,
    /// A PEM file with the CA that signed the collector's certificate (`https://` only),
    /// trusted besides Mozilla's roots.
    pub otlp_ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("invalid log filter '{0}': {1}")]
    Filter(String, String),
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(String),
    #[error("OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read {0}: {1}")]
    Certificate(String, String),
    #[error("a global subscriber is already installed: {0}")]
    AlreadyInstalled(String),
}

/// Flushes pending spans when dropped; keep it alive until the process ends.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Sends the spans ended so far now (tests, before reading what a collector got).
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(error) = provider.force_flush()
        {
            eprintln!("could not flush traces: {error}");
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("could not flush traces: {error}");
        }
    }
}

/// Installs the global subscriber. Call once, inside the tokio runtime.
///
/// # Errors
/// When the filter does not parse, the exporter can't be built, or a subscriber exists.
pub fn init(settings: &TelemetrySettings) -> Result<TelemetryGuard, TelemetryError> {
    let mut filter = EnvFilter::try_new(&settings.log_filter)
        .map_err(|e| TelemetryError::Filter(settings.log_filter.clone(), e.to_string()))?;
    // actix-http logs every malformed request it refuses ("invalid Header provided") at
    // ERROR: a client's mistake anyone can repeat to flood the error log. Silenced unless
    // the filter names actix_http itself.
    if !settings.log_filter.contains("actix_http")
        && let Ok(directive) = "actix_http::h1::dispatcher=off".parse()
    {
        filter = filter.add_directive(directive);
    }
    let output = match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().compact().boxed(),
    };
    let provider = settings
        .otlp_endpoint
        .as_deref()
        .map(|endpoint| otlp_provider(endpoint, settings))
        .transpose()?;
    let traces = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer().with_tracer(p.tracer(settings.service_name.clone()))
    });
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(traces)
        .try_init()
        .map_err(|e| TelemetryError::AlreadyInstalled(e.to_string()))?;
    Ok(TelemetryGuard { provider })
}

/// TLS for an `https://` collector: Mozilla's roots, and the configured CA if any.
fn tls_config(settings: &TelemetrySettings) -> Result<ClientTlsConfig, TelemetryError> {
    let config = ClientTlsConfig::new().with_webpki_roots();
    let Some(path) = &settings.otlp_ca_file else {
        return Ok(config);
    };
    let pem = std::fs::read(path)
        .map_err(|e| TelemetryError::Certificate(path.display().to_string(), e.to_string()))?;
    Ok(config.ca_certificate(Certificate::from_pem(pem)))
}

fn otlp_provider(
    endpoint: &str,
    settings: &TelemetrySettings,
) -> Result<SdkTracerProvider, TelemetryError> {
    let service_name = &settings.service_name;
    let mut builder = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint);
    if endpoint.starts_with("https://") {
        builder = builder.with_tls_config(tls_config(settings)?);
    }
    let exporter = builder
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(service_name.to_owned())
                .build(),
        )
        .build())
}

/// Makes `span` a child of the trace named by the W3C `traceparent` and `tracestate`
/// header values, when present.
pub fn continue_remote_trace(
    span: &tracing::Span,
    traceparent: Option<&str>,
    tracestate: Option<&str>,
) {
    let Some(traceparent) = traceparent else {
        return;
    };
    let mut headers = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    if let Some(state) = tracestate {
        headers.insert("tracestate".to_owned(), state.to_owned());
    }
    let parent = TraceContextPropagator::new().extract(&headers);
    // Without an OpenTelemetry layer there is nothing to link: that is fine.
    let _ = span.set_parent(parent);
}

/// The W3C `traceparent` of the current span, to carry the trace across the queue; `None`
/// when nothing is traced (no exporter, or no span).
#[must_use]
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier: HashMap<String, String> = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}
