//! Traces across the queue, exported over OTLP/gRPC to a receiver in this test (the
//! collector's own protocol, served by `opentelemetry-proto`'s generated server): a public
//! report's request, the outbox insert, the `report.created` job, the `mail.send` job it
//! queues and the SMTP exchange are one trace, with the request's root span named by its
//! route template.

use crate::jobs_support::{Schema, eventually, fast_settings};
use crate::mail::delivered_to;
use crate::support::{TestApp, queue_settings, unique};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tisseco_bootstrap::jobs::WorkerSettings;
use tisseco_telemetry::{LogFormat, TelemetrySettings};

/// A span as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
    attributes: Vec<(String, String)>,
}

impl Received {
    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Received>>>,
}

#[async_trait::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().unwrap();
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                for span in scope.spans {
                    let attributes = span
                        .attributes
                        .into_iter()
                        .map(|kv| {
                            let value = match kv.value.and_then(|v| v.value) {
                                Some(AnyValue::StringValue(s)) => s,
                                Some(AnyValue::IntValue(i)) => i.to_string(),
                                Some(other) => format!("{other:?}"),
                                None => String::new(),
                            };
                            (kv.key, value)
                        })
                        .collect();
                    spans.push(Received {
                        trace_id: hex(&span.trace_id),
                        span_id: hex(&span.span_id),
                        parent_span_id: hex(&span.parent_span_id),
                        name: span.name,
                        attributes,
                    });
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serves the OTLP trace service (gRPC over HTTP/2) on a free port; returns its URL.
async fn start_receiver(receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let service = TraceServiceServer::new(receiver);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .http2_only()
                .serve_connection(
                    hyper_util::rt::TokioIo::new(stream),
                    hyper_util::service::TowerToHyperService::new(service),
                )
                .await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread")]
async fn one_trace_runs_from_the_request_through_the_queue_to_the_e_mail() {
    let receiver = Receiver::default();
    let endpoint = start_receiver(receiver.clone()).await;
    let telemetry = tisseco_telemetry::init(&TelemetrySettings {
        service_name: "tisseco-test".into(),
        log_format: LogFormat::Json,
        log_filter: "warn,tisseco=info".into(),
        otlp_endpoint: Some(endpoint),
        otlp_ca_file: None,
    })
    .expect("the only subscriber of this test process (nextest runs one test per process)");

    let schema = Schema::create().await;
    let settings = queue_settings(&unique("t"));
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    worker.consumer = fast_settings();
    worker.outbox_poll = Duration::from_millis(100);
    let (queue, running) =
        crate::jobs_support::started_worker(&schema.url, &settings, &worker).await;
    let app = TestApp::serve_on(&schema.url, &settings);
    let site = app.site(&unique("tr")).await;
    let container = app.container(&site, json!({})).await;
    let code = container["public_code"].as_str().unwrap();
    let recipient = format!("{}@example.org", unique("traced"));
    let answer = app
        .anonymous
        .post(app.url(&format!("/c/{code}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "category=damaged&email={}",
            recipient.replace('@', "%40")
        ))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    eventually(Duration::from_secs(20), "the acknowledgement", || async {
        delivered_to(&recipient).await.len() == 1
    })
    .await;
    running.shutdown(Duration::from_secs(10)).await.unwrap();
    queue.purge().await.unwrap();

    let spans = receiver.spans.clone();
    let wanted = [
        "POST /c/{code}",
        "INSERT outbox",
        "job report.created",
        "job mail.send",
        "smtp send",
    ];
    let mut trace: Vec<Received> = Vec::new();
    eventually(Duration::from_secs(20), "the whole trace exported", || {
        telemetry.flush();
        let all = spans.lock().unwrap().clone();
        let root = all.iter().find(|s| s.name == "POST /c/{code}").cloned();
        trace = root
            .map(|root| {
                all.into_iter()
                    .filter(|s| s.trace_id == root.trace_id)
                    .collect()
            })
            .unwrap_or_default();
        let complete = wanted
            .iter()
            .all(|name| trace.iter().any(|span| span.name == *name));
        async move { complete }
    })
    .await;

    let by_name = |name: &str| trace.iter().find(|s| s.name == name).unwrap();
    let root = by_name("POST /c/{code}");
    assert_eq!(root.parent_span_id, "", "the request's span is the root");
    assert_eq!(root.attribute("http.route"), Some("/c/{code}"));
    assert_eq!(root.attribute("http.request.method"), Some("POST"));
    assert!(
        root.attribute("http.response.status_code").is_some(),
        "{root:?}"
    );
    // each step hangs from the one before it
    let parent_of = |name: &str| {
        let child = by_name(name);
        trace
            .iter()
            .find(|s| s.span_id == child.parent_span_id)
            .map(|s| s.name.clone())
    };
    let job = by_name("job report.created");
    assert!(
        trace.iter().any(|s| s.span_id == job.parent_span_id),
        "the event's job continues a span of the request: {trace:#?}"
    );
    assert_eq!(job.attribute("messaging.destination.name"), Some("events"));
    // the e-mail job was queued from inside the event's job
    assert_eq!(parent_of("job mail.send").as_deref(), Some("redis enqueue"));
    assert_eq!(
        parent_of("redis enqueue").as_deref(),
        Some("job report.created")
    );
    assert_eq!(parent_of("smtp send").as_deref(), Some("job mail.send"));
    println!(
        "one trace, {} spans: {:?}",
        trace.len(),
        trace.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
    );
}

/// A CA and a certificate for `localhost` signed by it (openssl, as `just tls-test`).
fn test_certificates(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let status = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Tisseco test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(dir.join("ext"), "subjectAltName=DNS:localhost\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext",
        "-out",
        "server.pem",
    ]);
}

/// The same receiver behind TLS (HTTP/2 by ALPN), for `https://` endpoints.
async fn start_tls_receiver(receiver: Receiver, dir: &std::path::Path) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = vec![CertificateDer::from_pem_file(dir.join("server.pem")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let service = TraceServiceServer::new(receiver);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (service, acceptor) = (service.clone(), acceptor.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .http2_only()
                .serve_connection(
                    hyper_util::rt::TokioIo::new(stream),
                    hyper_util::service::TowerToHyperService::new(service),
                )
                .await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn spans_reach_an_https_collector_signed_by_the_configured_ca() {
    let dir = std::env::temp_dir().join(unique("otlp-tls"));
    std::fs::create_dir_all(&dir).unwrap();
    test_certificates(&dir);
    let receiver = Receiver::default();
    let port = start_tls_receiver(receiver.clone(), &dir).await;
    let telemetry = tisseco_telemetry::init(&TelemetrySettings {
        service_name: "tisseco-test".into(),
        log_format: LogFormat::Json,
        log_filter: "info".into(),
        otlp_endpoint: Some(format!("https://localhost:{port}")),
        otlp_ca_file: Some(dir.join("ca.pem")),
    })
    .unwrap();
    tracing::info_span!("over tls").in_scope(|| tracing::info!("inside"));
    let spans = receiver.spans.clone();
    eventually(Duration::from_secs(20), "the span over TLS", || {
        telemetry.flush();
        let got = spans.lock().unwrap().iter().any(|s| s.name == "over tls");
        async move { got }
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
