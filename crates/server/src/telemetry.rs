//! OpenTelemetry traces, off unless an OTLP endpoint is configured (the standard
//! `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, service name
//! `OTEL_SERVICE_NAME`, default `gatehouse`): spans go to the collector over OTLP
//! HTTP/protobuf from a batch processor on its own thread, so a slow or absent collector
//! never holds a request up (a full queue drops spans; a failed export is dropped quietly).
//!
//! What is traced: one `HTTP request` span per request ([`trace_request`], named
//! `METHOD /route/{template}` once the router matched, with the method, route, tenant slug
//! when the path names one, and the status); under it, the identity crate's spans (the ACS's
//! `consume`, its `saml.validate` on the blocking pool, `acs.finish`, `sso.complete`, …).
//! With `GATEHOUSE_LOG_FORMAT=json`, log lines inside a traced request carry its `trace_id`.

use std::time::Duration;

use axum::extract::{FromRequestParts as _, MatchedPath, RawPathParams, Request};
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Instrument as _;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _, Registry};

use crate::config::LogFormat;

/// The service name when `OTEL_SERVICE_NAME` is unset.
pub const DEFAULT_SERVICE_NAME: &str = "gatehouse";
/// How long one export may take before it is abandoned (the OTLP default).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where traces go: the OTLP/HTTP traces URL and the service name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSettings {
    /// The full traces URL (`…/v1/traces`).
    pub traces_url: String,
    pub service_name: String,
}

impl TraceSettings {
    /// From the standard OpenTelemetry variables, looked up with `var`: the signal-specific
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as given, the generic
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` gets `/v1/traces` appended. `None`: tracing is off.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Option<TraceSettings> {
        let set = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let traces_url = set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").or_else(|| {
            set("OTEL_EXPORTER_OTLP_ENDPOINT").map(|base| format!("{}/v1/traces", base.trim_end_matches('/')))
        })?;
        let service_name = set("OTEL_SERVICE_NAME").unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned());
        Some(TraceSettings { traces_url, service_name })
    }

    pub fn from_env() -> Option<TraceSettings> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The running exporter. Dropping it without [`Telemetry::shutdown`] loses the spans still
/// queued.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// Exports what is queued now (blocking: call it off the async threads).
    pub fn force_flush(&self) -> bool {
        self.provider.force_flush().is_ok()
    }

    /// Exports what is queued and stops the exporter (blocking).
    pub fn shutdown(&self) -> bool {
        self.provider.shutdown().is_ok()
    }
}

/// The log subscriber (text or JSON to `writer`, levels from `RUST_LOG`), with the
/// OpenTelemetry layer when `traces` is set. Tests install it for one thread
/// (`tracing::subscriber::set_default`); the binary installs it globally ([`init`]).
pub fn subscriber<W>(
    format: LogFormat,
    traces: Option<&TraceSettings>,
    writer: W,
) -> anyhow::Result<(Box<dyn tracing::Subscriber + Send + Sync>, Option<Telemetry>)>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let telemetry = traces.map(exporter).transpose()?;
    let otel =
        telemetry.as_ref().map(|t| tracing_opentelemetry::layer().with_tracer(t.provider.tracer(DEFAULT_SERVICE_NAME)));
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let fmt = match format {
        LogFormat::Json => fmt.json().flatten_event(true).map_event_format(WithTraceId).boxed(),
        LogFormat::Text => fmt.boxed(),
    };
    let subscriber = Registry::default().with(filter).with(otel).with(fmt);
    Ok((Box::new(subscriber), telemetry))
}

/// Installs the process's subscriber (logs to stderr, traces when configured). A collector
/// that cannot be set up is said on stderr and tracing stays off; logging still starts.
pub fn init(format: LogFormat) -> Option<Telemetry> {
    let traces = TraceSettings::from_env();
    let (subscriber, telemetry) = match subscriber(format, traces.as_ref(), std::io::stderr) {
        Ok(built) => built,
        Err(e) => {
            eprintln!("gatehouse: OpenTelemetry traces are off: {e:#}");
            subscriber(format, None, std::io::stderr).ok()?
        }
    };
    let _ = subscriber.try_init();
    if let Some(t) = &traces {
        tracing::info!(endpoint = %t.traces_url, service = %t.service_name, "exporting traces over OTLP/HTTP");
    }
    telemetry
}

fn exporter(settings: &TraceSettings) -> anyhow::Result<Telemetry> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(settings.traces_url.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| anyhow::anyhow!("OTLP exporter for {}: {e}", settings.traces_url))?;
    let resource = Resource::builder_empty().with_service_name(settings.service_name.clone()).build();
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    Ok(Telemetry { provider })
}

/// The request's span, handed from [`trace_request`] to [`name_route`] (which runs after
/// routing, when the template is known).
#[derive(Clone)]
struct RequestSpan(tracing::Span);

/// Outermost layer: one `HTTP request` span around the whole request, closed with its status.
/// When the span is exported its trace ID is recorded as `trace_id`, which JSON log lines
/// inside it carry.
pub(crate) async fn trace_request(mut req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let span = tracing::info_span!(
        "HTTP request",
        otel.name = %method,
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = %method,
        http.route = Empty,
        http.response.status_code = Empty,
        gatehouse.tenant = Empty,
        trace_id = Empty,
    );
    let context = span.context();
    let trace_id = context.span().span_context().trace_id();
    if trace_id != opentelemetry::trace::TraceId::INVALID {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    req.extensions_mut().insert(RequestSpan(span.clone()));
    let resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status();
    span.record("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.record("otel.status_code", "error");
    }
    resp
}

/// A route layer: names the request's span after the route template (never the raw path)
/// and records the tenant slug when the route has a `{tenant}`.
pub(crate) async fn name_route(req: Request, next: Next) -> Response {
    let Some(RequestSpan(span)) = req.extensions().get::<RequestSpan>().cloned() else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    if let Some(template) = parts.extensions.get::<MatchedPath>() {
        span.record("http.route", template.as_str());
        // The span was started in trace_request (to learn its trace ID), so it is renamed
        // on the started span; `otel.name` is recorded too for the log's span fields.
        let name = format!("{} {}", parts.method, template.as_str());
        span.record("otel.name", name.as_str());
        span.context().span().update_name(name);
    }
    if let Ok(params) = RawPathParams::from_request_parts(&mut parts, &()).await
        && let Some((_, tenant)) = params.iter().find(|(name, _)| *name == "tenant")
    {
        span.record("gatehouse.tenant", tenant);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The JSON event format with the `trace_id` of the traced request the event is in, as a
/// top-level field.
struct WithTraceId<F>(F);

impl<S, N, F> FormatEvent<S, N> for WithTraceId<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let trace_id = ctx.event_scope().and_then(|scope| {
            scope
                .from_root()
                .find_map(|span| span.extensions().get::<FormattedFields<N>>().and_then(|f| trace_id_in(f)))
        });
        let Some(trace_id) = trace_id else {
            return self.0.format_event(ctx, writer, event);
        };
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => write!(writer, "{{\"trace_id\":\"{trace_id}\",{rest}"),
            None => writer.write_str(&line),
        }
    }
}

/// The `trace_id` among a span's JSON-formatted fields: 32 hex digits, or nothing.
fn trace_id_in(fields: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(fields).ok()?;
    let id = value.get("trace_id")?.as_str()?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{TraceSettings, trace_id_in};

    fn settings(vars: &[(&str, &str)]) -> Option<TraceSettings> {
        TraceSettings::from_vars(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn traces_are_off_unless_an_endpoint_is_set() {
        assert_eq!(settings(&[]), None);
        assert_eq!(settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " "), ("OTEL_SERVICE_NAME", "x")]), None);
        let s = settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")]).expect("on");
        assert_eq!(s.traces_url, "http://collector:4318/v1/traces");
        assert_eq!(s.service_name, "gatehouse");
        let s = settings(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://tempo.example/otlp/v1/traces"),
            ("OTEL_SERVICE_NAME", "gatehouse-eu"),
        ])
        .expect("on");
        assert_eq!(s.traces_url, "https://tempo.example/otlp/v1/traces");
        assert_eq!(s.service_name, "gatehouse-eu");
    }

    #[test]
    fn a_trace_id_is_read_only_when_it_is_one() {
        assert_eq!(
            trace_id_in(r#"{"otel.name":"GET","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(trace_id_in(r#"{"trace_id":"\",\"x\":\"1"}"#), None);
        assert_eq!(trace_id_in(r#"{"otel.name":"GET"}"#), None);
        assert_eq!(trace_id_in("not json"), None);
    }
}
