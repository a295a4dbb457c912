//! The byte examples of kapacitor-compat.md, udf-protocol §3.6, produced with Kapacitor's Python
//! `udf_pb2`: our encoding gives exactly these bytes and decodes them back.

use std::collections::BTreeMap;

use prost::Message;
use tickflow_udf::framing::{frame, FrameReader};
use tickflow_udf::proto::{
    self, option_value, request, response, BeginBatch, EndBatch, ErrorResponse, InfoRequest,
    InfoResponse, InitRequest, InitResponse, KeepaliveRequest, KeepaliveResponse, OptionInfo,
    OptionValue, Point, Request, Response, RestoreRequest, SnapshotRequest,
};

/// Hex text (`"02 0A 00"`) as bytes.
fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
        .collect()
}

/// `message` framed is `bytes`, and `bytes` read back is `message`.
fn both_ways<M: Message + Default + PartialEq + std::fmt::Debug>(message: M, bytes: &str) {
    let bytes = hex(bytes);
    assert_eq!(frame(&message), bytes, "encoding {message:?}");
    let mut reader = FrameReader::new(&bytes[..]);
    let decoded: M = reader
        .read_message()
        .expect("decodes")
        .expect("one message");
    assert_eq!(decoded, message, "decoding {bytes:02X?}");
    assert!(reader.read_frame().expect("clean end").is_none());
}

fn request(message: request::Message) -> Request {
    Request {
        message: Some(message),
    }
}

fn response(message: response::Message) -> Response {
    Response {
        message: Some(message),
    }
}

fn option(name: &str, r#type: proto::ValueType, value: option_value::Value) -> proto::Option {
    proto::Option {
        name: name.into(),
        values: vec![OptionValue {
            r#type: r#type as i32,
            value: Some(value),
        }],
    }
}

#[test]
fn management_requests() {
    both_ways(request(request::Message::Info(InfoRequest {})), "02 0A 00");
    both_ways(
        request(request::Message::Keepalive(KeepaliveRequest { time: 42 })),
        "04 1A 02 08 2A",
    );
    both_ways(
        request(request::Message::Snapshot(SnapshotRequest {})),
        "02 22 00",
    );
    both_ways(
        request(request::Message::Restore(RestoreRequest {
            snapshot: vec![0x2a],
        })),
        "05 2A 03 0A 01 2A",
    );
}

#[test]
fn init_requests() {
    both_ways(
        request(request::Message::Init(InitRequest {
            options: vec![option(
                "size",
                proto::ValueType::Int,
                option_value::Value::IntValue(10),
            )],
            task_id: "t".into(),
            node_id: "n".into(),
        })),
        "16 12 14 0A 0C 0A 04 73 69 7A 65 12 04 08 01 18 0A 12 01 74 1A 01 6E",
    );
    both_ways(
        request(request::Message::Init(InitRequest {
            options: vec![option(
                "b",
                proto::ValueType::Bool,
                option_value::Value::BoolValue(false),
            )],
            ..InitRequest::default()
        })),
        "0B 12 09 0A 07 0A 01 62 12 02 10 00",
    );
}

#[test]
fn info_responses() {
    let types = |types: &[proto::ValueType]| OptionInfo {
        value_types: types.iter().map(|t| *t as i32).collect(),
    };
    both_ways(
        response(response::Message::Info(InfoResponse {
            wants: proto::EdgeType::Stream as i32,
            provides: proto::EdgeType::Batch as i32,
            options: BTreeMap::from([("field".into(), types(&[proto::ValueType::String]))]),
        })),
        "12 0A 10 10 01 1A 0C 0A 05 66 69 65 6C 64 12 03 0A 01 03",
    );
    both_ways(
        response(response::Message::Info(InfoResponse {
            options: BTreeMap::from([(
                "x".into(),
                types(&[proto::ValueType::Int, proto::ValueType::Double]),
            )]),
            ..InfoResponse::default()
        })),
        "0D 0A 0B 1A 09 0A 01 78 12 04 0A 02 01 02",
    );
}

#[test]
fn other_management_responses() {
    both_ways(
        response(response::Message::Init(InitResponse {
            success: true,
            error: String::new(),
        })),
        "04 12 02 08 01",
    );
    both_ways(
        response(response::Message::Keepalive(KeepaliveResponse { time: 42 })),
        "04 1A 02 08 2A",
    );
    both_ways(
        response(response::Message::Error(ErrorResponse {
            error: "boom".into(),
        })),
        "08 32 06 0A 04 62 6F 6F 6D",
    );
}

#[test]
fn data_messages() {
    both_ways(
        request(request::Message::Point(Point {
            time: 1_000_000_000,
            name: "cpu".into(),
            database: "db".into(),
            retention_policy: "rp".into(),
            tags: BTreeMap::from([("host".into(), "a".into())]),
            fields_double: BTreeMap::from([("v".into(), 1.5)]),
            ..Point::default()
        })),
        "2F 8A 01 2C 08 80 94 EB DC 03 12 03 63 70 75 1A 02 64 62 22 02 72 70 3A 09 0A 04 68 \
         6F 73 74 12 01 61 42 0C 0A 01 76 11 00 00 00 00 00 00 F8 3F",
    );
    both_ways(
        response(response::Message::Begin(BeginBatch {
            name: "cpu".into(),
            size: 2,
            ..BeginBatch::default()
        })),
        "0A 82 01 07 0A 03 63 70 75 20 02",
    );
    both_ways(
        response(response::Message::End(EndBatch {
            name: "cpu".into(),
            tmax: 5,
            ..EndBatch::default()
        })),
        "0A 92 01 07 0A 03 63 70 75 18 05",
    );
    both_ways(
        response(response::Message::Point(Point::default())),
        "03 8A 01 00",
    );
}

#[test]
fn point_fields_by_name_and_bool_have_their_own_numbers() {
    // byName is field 11 (varint, key 0x58) and fieldsBool field 12 (key 0x62): the
    // classic swap would break every agent.
    let point = Point {
        by_name: true,
        fields_bool: BTreeMap::from([("b".into(), true)]),
        ..Point::default()
    };
    assert_eq!(point.encode_to_vec(), hex("58 01 62 05 0A 01 62 10 01"));
}
