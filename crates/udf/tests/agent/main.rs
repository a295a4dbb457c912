//! `udf-test-agent MODE [ARG]`: a UDF agent speaking Kapacitor's protocol on stdin and
//! stdout (or, with `--socket PATH MODE`, serving each connection to a Unix socket), for
//! the integration tests.
//!
//! Modes: `stream-stream` (each point back with `as` = `field` × 2 and `count`),
//! `stream-batch` (every `size` points of a group as one batch), `batch-stream` (one
//! point per batch: `count` at tmax), `batch-batch` (each batch back with `field` × 2);
//! failures: `crash-after N`, `hang-after N`, `garbage-after N`, `reject-init`,
//! `no-snapshot`, `info-fails`. `--crash-every N` after the mode makes any mode exit after
//! every N data requests of one process (a restarted agent runs N more), for the
//! no-loss restart tests. Snapshots hold the count and the points buffered per group.

use std::collections::BTreeMap;
use std::io::{self, BufReader, Read, Write};
use std::os::unix::net::UnixListener;

use tickflow_udf::framing::{frame, FrameReader};
use tickflow_udf::proto::{
    option_value, request, response, BeginBatch, EdgeType, EndBatch, ErrorResponse, InfoResponse,
    InitRequest, InitResponse, KeepaliveRequest, KeepaliveResponse, OptionInfo, Point, Request,
    Response, RestoreResponse, SnapshotResponse, ValueType,
};

/// Marks, in a snapshot, the points of the open batch (their group follows it).
const BATCH_MARK: &str = "\u{0}batch:";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--socket") => serve(&args[1], &args[2..]),
        _ => run(&args, io::stdin().lock(), io::stdout().lock()),
    };
    if let Err(err) = result {
        eprintln!("agent error: {err}");
        std::process::exit(2);
    }
}

/// Serves every connection to `path` with its own agent.
fn serve(path: &str, args: &[String]) -> io::Result<()> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    for stream in listener.incoming() {
        let stream = stream?;
        let args = args.to_vec();
        std::thread::spawn(move || {
            let reader = stream.try_clone().expect("clone");
            let _ = run(&args, reader, stream);
        });
    }
    Ok(())
}

/// What one agent instance keeps.
struct Agent<W> {
    mode: String,
    limit: u64,
    out: W,
    field: String,
    r#as: String,
    size: usize,
    count: u64,
    groups: BTreeMap<String, Vec<Point>>,
    batch: Vec<Point>,
    /// Data requests this process may take before it exits (`--crash-every`).
    crash_every: Option<u64>,
    /// Data requests this process took.
    taken: u64,
}

fn run(args: &[String], input: impl Read, out: impl Write) -> io::Result<()> {
    let mode = args.first().cloned().unwrap_or_default();
    let limit = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(u64::MAX);
    let crash_every = args
        .iter()
        .position(|a| a == "--crash-every")
        .and_then(|i| args.get(i + 1)?.parse().ok());
    let mut agent = Agent {
        mode,
        limit,
        out,
        field: "value".into(),
        r#as: "double".into(),
        size: 2,
        count: 0,
        groups: BTreeMap::new(),
        batch: Vec::new(),
        crash_every,
        taken: 0,
    };
    let mut reader = FrameReader::new(BufReader::new(input));
    while let Some(request) = reader
        .read_message::<Request>()
        .map_err(|e| io::Error::other(e.to_string()))?
    {
        let Some(message) = request.message else {
            continue;
        };
        agent.handle(message)?;
    }
    agent.out.flush()
}

impl<W: Write> Agent<W> {
    fn send(&mut self, message: response::Message) -> io::Result<()> {
        self.out.write_all(&frame(&Response {
            message: Some(message),
        }))?;
        self.out.flush()
    }

    fn wants(&self) -> EdgeType {
        if self.mode.starts_with("batch") {
            EdgeType::Batch
        } else {
            EdgeType::Stream
        }
    }

    fn provides(&self) -> EdgeType {
        if self.mode.ends_with("-batch") {
            EdgeType::Batch
        } else {
            EdgeType::Stream
        }
    }

    fn handle(&mut self, message: request::Message) -> io::Result<()> {
        match message {
            request::Message::Info(_) => self.info(),
            request::Message::Init(init) => self.init(init),
            request::Message::Keepalive(k) => {
                self.send(response::Message::Keepalive(KeepaliveResponse {
                    time: k.time,
                }))
            }
            request::Message::Snapshot(_) if self.mode == "no-snapshot" => {
                self.send(response::Message::Error(ErrorResponse {
                    error: "error processing request of type snapshot: cannot write None response"
                        .into(),
                }))?;
                std::process::exit(0);
            }
            request::Message::Snapshot(_) => {
                let snapshot = self.snapshot();
                self.send(response::Message::Snapshot(SnapshotResponse { snapshot }))
            }
            request::Message::Restore(r) => {
                let restored = self.restore(&r.snapshot);
                self.send(response::Message::Restore(RestoreResponse {
                    success: restored.is_some(),
                    error: if restored.is_some() {
                        String::new()
                    } else {
                        "bad snapshot".into()
                    },
                }))
            }
            request::Message::Point(point) => {
                self.take()?;
                self.point(point)
            }
            request::Message::Begin(_) => {
                self.take()?;
                self.batch.clear();
                Ok(())
            }
            request::Message::End(end) => {
                self.take()?;
                self.end(end)
            }
        }
    }

    /// Counts a data request of this process and exits past `--crash-every`.
    fn take(&mut self) -> io::Result<()> {
        self.taken += 1;
        if self.crash_every.is_some_and(|n| self.taken > n) {
            eprintln!("crashing after {} requests", self.taken - 1);
            std::process::exit(4);
        }
        Ok(())
    }

    /// The count as a keepalive frame (the count in `time`), then every buffered point of
    /// the stream groups and of the open batch, framed.
    fn snapshot(&self) -> Vec<u8> {
        let count = i64::try_from(self.count).unwrap_or(i64::MAX);
        let mut bytes = frame(&KeepaliveRequest { time: count });
        for point in self.groups.values().flatten() {
            bytes.extend(frame(point));
        }
        for point in &self.batch {
            bytes.extend(frame(&Point {
                group: format!("{BATCH_MARK}{}", point.group),
                ..point.clone()
            }));
        }
        bytes
    }

    /// Restores a [`Agent::snapshot`]; `None` when it does not decode.
    fn restore(&mut self, snapshot: &[u8]) -> Option<()> {
        let mut frames = FrameReader::new(snapshot);
        let count = frames.read_message::<KeepaliveRequest>().ok()??;
        self.count = u64::try_from(count.time).ok()?;
        self.groups.clear();
        self.batch.clear();
        while let Some(point) = frames.read_message::<Point>().ok()? {
            if let Some(group) = point.group.strip_prefix(BATCH_MARK) {
                self.batch.push(Point {
                    group: group.to_string(),
                    ..point
                });
            } else {
                self.groups
                    .entry(point.group.clone())
                    .or_default()
                    .push(point);
            }
        }
        Some(())
    }

    fn info(&mut self) -> io::Result<()> {
        if self.mode == "info-fails" {
            eprintln!("Traceback (most recent call last):");
            eprintln!("ImportError: No module named kapacitor");
            std::process::exit(1);
        }
        let option = |types: &[ValueType]| OptionInfo {
            value_types: types.iter().map(|t| *t as i32).collect(),
        };
        let info = InfoResponse {
            wants: self.wants() as i32,
            provides: self.provides() as i32,
            options: BTreeMap::from([
                ("field".into(), option(&[ValueType::String])),
                ("as".into(), option(&[ValueType::String])),
                ("size".into(), option(&[ValueType::Int])),
            ]),
        };
        self.send(response::Message::Info(info))
    }

    fn init(&mut self, init: InitRequest) -> io::Result<()> {
        for option in &init.options {
            match (
                option.name.as_str(),
                option.values.first().and_then(|v| v.value.clone()),
            ) {
                ("field", Some(option_value::Value::StringValue(v))) => self.field = v,
                ("as", Some(option_value::Value::StringValue(v))) => self.r#as = v,
                ("size", Some(option_value::Value::IntValue(v))) => self.size = v.max(1) as usize,
                _ => {}
            }
        }
        eprintln!("init {} {}", init.task_id, init.node_id);
        let reject = self.mode == "reject-init";
        self.send(response::Message::Init(InitResponse {
            success: !reject,
            error: if reject {
                "field is required".into()
            } else {
                String::new()
            },
        }))
    }

    /// Counts a data point and fails as the mode says once past the limit.
    fn count_and_maybe_fail(&mut self) -> io::Result<()> {
        self.count += 1;
        if self.count <= self.limit {
            return Ok(());
        }
        match self.mode.as_str() {
            "crash-after" => {
                eprintln!("crashing after {} points", self.limit);
                std::process::exit(3);
            }
            "hang-after" => {
                eprintln!("hanging");
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
            }
            "garbage-after" => {
                self.out.write_all(&[0x05, 0xff, 0xff, 0xff, 0xff, 0xff])?;
                self.out.flush()
            }
            _ => Ok(()),
        }
    }

    fn point(&mut self, mut point: Point) -> io::Result<()> {
        if self.wants() == EdgeType::Batch {
            self.batch.push(point);
            return Ok(());
        }
        self.count_and_maybe_fail()?;
        if self.provides() == EdgeType::Batch {
            let group = self.groups.entry(point.group.clone()).or_default();
            group.push(point);
            if group.len() >= self.size {
                let points = std::mem::take(group);
                self.emit_batch(points)?;
            }
            return Ok(());
        }
        let value = point.fields_double.get(&self.field).copied().unwrap_or(0.0);
        point.fields_double.insert(self.r#as.clone(), value * 2.0);
        point.fields_int.insert("count".into(), self.count as i64);
        self.send(response::Message::Point(point))
    }

    /// A stream group's points as one batch: group tags are the point's dimensions.
    fn emit_batch(&mut self, points: Vec<Point>) -> io::Result<()> {
        let Some(first) = points.first() else {
            return Ok(());
        };
        let tags: BTreeMap<String, String> = first
            .dimensions
            .iter()
            .map(|d| (d.clone(), first.tags.get(d).cloned().unwrap_or_default()))
            .collect();
        let (name, group, by_name) = (first.name.clone(), first.group.clone(), first.by_name);
        let tmax = points.iter().map(|p| p.time).max().unwrap_or(0);
        self.send(response::Message::Begin(BeginBatch {
            name: name.clone(),
            group: group.clone(),
            tags: tags.clone(),
            size: points.len() as i64,
            by_name,
        }))?;
        for point in points {
            self.send(response::Message::Point(point))?;
        }
        self.send(response::Message::End(EndBatch {
            name,
            group,
            tmax,
            tags,
            by_name,
        }))
    }

    fn end(&mut self, end: EndBatch) -> io::Result<()> {
        self.count_and_maybe_fail()?;
        let points = std::mem::take(&mut self.batch);
        if self.provides() == EdgeType::Stream {
            let mut dims: Vec<String> = end.tags.keys().cloned().collect();
            dims.sort();
            let point = Point {
                time: end.tmax,
                name: end.name.clone(),
                tags: end.tags.clone(),
                dimensions: dims,
                fields_int: BTreeMap::from([("count".into(), points.len() as i64)]),
                ..Point::default()
            };
            return self.send(response::Message::Point(point));
        }
        self.send(response::Message::Begin(BeginBatch {
            name: end.name.clone(),
            group: end.group.clone(),
            tags: end.tags.clone(),
            size: points.len() as i64,
            by_name: false,
        }))?;
        for mut point in points {
            if let Some(v) = point.fields_double.get_mut(&self.field) {
                *v *= 2.0;
            }
            self.send(response::Message::Point(point))?;
        }
        self.send(response::Message::End(end))
    }
}
