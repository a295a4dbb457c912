//! MQTT 3.1.1 packets: encoders for what a publishing client sends (CONNECT, PUBLISH,
//! PUBREL, SUBSCRIBE, PUBACK, PINGREQ, DISCONNECT) and [`read`], which reads one packet
//! and decodes the ones a client receives ([`Incoming`]).

use std::io::{self, Read};

/// The most bytes a packet's remaining length may announce (the protocol's limit).
pub const MAX_REMAINING: usize = 268_435_455;

/// PINGREQ.
pub const PINGREQ: [u8; 2] = [0xC0, 0x00];
/// DISCONNECT.
pub const DISCONNECT: [u8; 2] = [0xE0, 0x00];

/// A packet a client receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// CONNACK with its return code (0 = accepted).
    ConnAck(u8),
    /// PUBACK of a QoS 1 publish.
    PubAck(u16),
    /// PUBREC of a QoS 2 publish.
    PubRec(u16),
    /// PUBCOMP of a QoS 2 publish.
    PubComp(u16),
    /// SUBACK with the granted QoS of each topic.
    SubAck(u16, Vec<u8>),
    /// PINGRESP.
    PingResp,
    /// A message on a subscribed topic.
    Publish {
        /// The topic.
        topic: String,
        /// The payload.
        payload: Vec<u8>,
        /// Its QoS.
        qos: u8,
        /// Whether the broker had it retained.
        retain: bool,
        /// The packet id, for QoS 1 and 2.
        id: Option<u16>,
    },
    /// Any other packet type (the high nibble of its first byte).
    Other(u8),
}

fn remaining_length(out: &mut Vec<u8>, mut len: usize) {
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            return;
        }
    }
}

fn string(out: &mut Vec<u8>, text: &[u8]) {
    out.extend_from_slice(&(text.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
    out.extend_from_slice(&text[..text.len().min(usize::from(u16::MAX))]);
}

fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(first);
    remaining_length(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

/// CONNECT with a clean session.
pub fn connect(
    client_id: &str,
    username: Option<&str>,
    password: Option<&str>,
    keep_alive_secs: u16,
) -> Vec<u8> {
    let mut body = Vec::new();
    string(&mut body, b"MQTT");
    body.push(4); // protocol level 3.1.1
    let mut flags = 0x02; // clean session
    if username.is_some() {
        flags |= 0x80;
    }
    if password.is_some() {
        flags |= 0x40;
    }
    body.push(flags);
    body.extend_from_slice(&keep_alive_secs.to_be_bytes());
    string(&mut body, client_id.as_bytes());
    for field in [username, password].into_iter().flatten() {
        string(&mut body, field.as_bytes());
    }
    packet(0x10, &body)
}

/// PUBLISH; `id` is required for QoS 1 and 2.
pub fn publish(topic: &str, payload: &[u8], qos: u8, retain: bool, id: u16) -> Vec<u8> {
    let mut body = Vec::with_capacity(topic.len() + payload.len() + 4);
    string(&mut body, topic.as_bytes());
    if qos > 0 {
        body.extend_from_slice(&id.to_be_bytes());
    }
    body.extend_from_slice(payload);
    packet(0x30 | ((qos & 0x03) << 1) | u8::from(retain), &body)
}

/// PUBREL, the second step of a QoS 2 publish.
pub fn pubrel(id: u16) -> Vec<u8> {
    packet(0x62, &id.to_be_bytes())
}

/// PUBACK of a received QoS 1 message.
pub fn puback(id: u16) -> Vec<u8> {
    packet(0x40, &id.to_be_bytes())
}

/// SUBSCRIBE to one topic filter.
pub fn subscribe(id: u16, filter: &str, qos: u8) -> Vec<u8> {
    let mut body = id.to_be_bytes().to_vec();
    string(&mut body, filter.as_bytes());
    body.push(qos & 0x03);
    packet(0x82, &body)
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Reads one packet and decodes it.
pub fn read(reader: &mut impl Read) -> io::Result<Incoming> {
    let mut first = [0u8; 1];
    reader.read_exact(&mut first)?;
    let mut len = 0usize;
    for shift in 0..4 {
        let mut byte = [0u8; 1];
        reader.read_exact(&mut byte)?;
        len |= usize::from(byte[0] & 0x7F) << (7 * shift);
        if byte[0] & 0x80 == 0 {
            break;
        }
        if shift == 3 {
            return Err(invalid("remaining length longer than four bytes"));
        }
    }
    if len > MAX_REMAINING {
        return Err(invalid("remaining length too large"));
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    decode(first[0], &body)
}

fn decode(first: u8, body: &[u8]) -> io::Result<Incoming> {
    let id = || -> io::Result<u16> {
        body.get(..2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| invalid("packet too short for a packet id"))
    };
    Ok(match first >> 4 {
        2 => Incoming::ConnAck(*body.get(1).ok_or_else(|| invalid("short CONNACK"))?),
        3 => {
            let qos = (first >> 1) & 0x03;
            let topic_len = usize::from(id()?);
            let topic = body
                .get(2..2 + topic_len)
                .ok_or_else(|| invalid("PUBLISH topic past the packet's end"))?;
            let mut rest = &body[2 + topic_len..];
            let mut packet_id = None;
            if qos > 0 {
                let bytes = rest.get(..2).ok_or_else(|| invalid("PUBLISH without id"))?;
                packet_id = Some(u16::from_be_bytes([bytes[0], bytes[1]]));
                rest = &rest[2..];
            }
            Incoming::Publish {
                topic: String::from_utf8_lossy(topic).into_owned(),
                payload: rest.to_vec(),
                qos,
                retain: first & 1 == 1,
                id: packet_id,
            }
        }
        4 => Incoming::PubAck(id()?),
        5 => Incoming::PubRec(id()?),
        7 => Incoming::PubComp(id()?),
        9 => Incoming::SubAck(id()?, body.get(2..).unwrap_or_default().to_vec()),
        13 => Incoming::PingResp,
        other => Incoming::Other(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_has_the_protocol_header_and_credentials() {
        let bytes = connect("tf", Some("u"), Some("p"), 30);
        assert_eq!(
            bytes,
            [
                0x10, 20, 0, 4, b'M', b'Q', b'T', b'T', 4, 0xC2, 0, 30, 0, 2, b't', b'f', 0, 1,
                b'u', 0, 1, b'p'
            ]
        );
    }

    #[test]
    fn publish_round_trips_through_the_decoder() {
        for (qos, retain) in [(0, false), (1, true), (2, false)] {
            let bytes = publish("a/b", b"cpu is CRITICAL", qos, retain, 7);
            let decoded = read(&mut bytes.as_slice()).expect("decodes");
            assert_eq!(
                decoded,
                Incoming::Publish {
                    topic: "a/b".into(),
                    payload: b"cpu is CRITICAL".to_vec(),
                    qos,
                    retain,
                    id: (qos > 0).then_some(7),
                }
            );
        }
    }

    #[test]
    fn long_bodies_use_multi_byte_lengths() {
        let payload = vec![b'x'; 300];
        let bytes = publish("t", &payload, 0, false, 0);
        assert_eq!(&bytes[..3], [0x30, 0xAF, 0x02]); // 303 = 0x2F + 2 * 128
        assert!(
            matches!(read(&mut bytes.as_slice()), Ok(Incoming::Publish { payload: p, .. }) if p == payload)
        );
    }

    #[test]
    fn acknowledgements_decode_and_bad_packets_are_errors() {
        let cases: [(&[u8], Incoming); 5] = [
            (&[0x20, 2, 0, 5], Incoming::ConnAck(5)),
            (&[0x40, 2, 1, 2], Incoming::PubAck(258)),
            (&[0x50, 2, 0, 3], Incoming::PubRec(3)),
            (&[0x70, 2, 0, 3], Incoming::PubComp(3)),
            (&[0xD0, 0], Incoming::PingResp),
        ];
        for (mut bytes, want) in cases {
            assert_eq!(read(&mut bytes).expect("decodes"), want);
        }
        assert!(read(&mut &[0x40u8, 1, 0][..]).is_err());
        assert!(read(&mut &[0x30u8, 0xFF, 0xFF, 0xFF, 0xFF][..]).is_err());
        assert!(read(&mut &[0x20u8][..]).is_err());
    }
}
