//! SNMP traps (v2c): `[snmptrap]` and `.snmpTrap(trapOid).data(oid, type, value)`, which
//! sends an SNMPv2-Trap over UDP to `addr` with the `community`: `sysUpTime.0` (the
//! handler's uptime), `snmpTrapOID.0` (the trap OID), then each data binding, its value
//! a template rendered with the event. Types, as Kapacitor's: `c` Counter32, `i`
//! Integer, `n` Null, `s` String, `t` TimeTicks. A trap has no answer: `retries` is
//! how many more times a failed send is tried.
//!
//! The message is `rasn-snmp`'s v2c `Message` of a `Trap` PDU, BER-encoded by `rasn`.

use std::net::UdpSocket;
use std::time::Instant;

use rasn::types::{Integer, ObjectIdentifier, OctetString};
use rasn_smi::v1::{Counter, TimeTicks};
use rasn_smi::v2::{ApplicationSyntax, SimpleSyntax};
use rasn_snmp::v2::{ObjectSyntax, Pdu, Trap, VarBind, VarBindValue};
use rasn_snmp::v2c::Message;
use serde::{Deserialize, Serialize};

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::services::templates::{event_data, OptionTemplate};
use crate::services::{Calls, ServiceConfigError, ServiceError};

/// The `[snmptrap]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SnmpTrapConfig {
    /// Whether `.snmpTrap()` handlers may use it.
    pub enabled: bool,
    /// The trap receiver's `host:port`.
    pub addr: String,
    /// The community.
    pub community: String,
    /// How many more times a failed send is tried.
    pub retries: u32,
}

impl Default for SnmpTrapConfig {
    fn default() -> Self {
        SnmpTrapConfig {
            enabled: false,
            addr: "localhost:162".into(),
            community: "kapacitor".into(),
            retries: 1,
        }
    }
}

/// `sysUpTime.0`.
const SYS_UP_TIME: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
/// `snmpTrapOID.0`.
const SNMP_TRAP_OID: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];

/// A data binding's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Integer,
    Null,
    String,
    TimeTicks,
}

/// One `.data(oid, type, value)`.
#[derive(Debug, Clone)]
struct Binding {
    oid: Vec<u32>,
    kind: Kind,
    value: OptionTemplate,
}

/// A value ready to encode.
enum Value {
    Oid(Vec<u32>),
    Counter(u32),
    Integer(i64),
    Null,
    String(String),
    TimeTicks(u32),
}

/// Sends each event as an SNMP v2c trap.
#[derive(Debug, Clone)]
pub struct SnmpTrapHandler {
    addr: String,
    community: String,
    retries: u32,
    trap_oid: Vec<u32>,
    bindings: Vec<Binding>,
    started: Instant,
}

impl SnmpTrapHandler {
    /// The handler of `.snmpTrap(trapOid)` with its `.data()` calls over `config`; an
    /// OID, a type or a template that does not parse is an error.
    pub fn new(config: &SnmpTrapConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let invalid = |reason: String| ServiceConfigError {
            section: "snmptrap",
            reason,
        };
        let trap_oid = match calls.0.args.first() {
            Some(tickflow_pipeline::OptionValue::String(oid)) => parse_oid(oid).map_err(invalid)?,
            _ => return Err(invalid("a trap needs its OID".into())),
        };
        let bindings = (calls.each("data").iter())
            .map(|data| match data.as_slice() {
                [oid, kind, value] => Ok(Binding {
                    oid: parse_oid(oid).map_err(invalid)?,
                    kind: parse_kind(kind).map_err(invalid)?,
                    value: OptionTemplate::parse("snmptrap", &format!("data {oid}"), value)?,
                }),
                _ => Err(invalid("data needs an oid, a type and a value".into())),
            })
            .collect::<Result<_, _>>()?;
        Ok(SnmpTrapHandler {
            addr: config.addr.clone(),
            community: config.community.clone(),
            retries: config.retries,
            trap_oid,
            bindings,
            started: Instant::now(),
        })
    }

    /// The variable bindings of `event`'s trap.
    fn bindings(&self, event: &AlertData) -> Result<Vec<(Vec<u32>, Value)>, ServiceError> {
        let uptime = u32::try_from(self.started.elapsed().as_millis() / 10).unwrap_or(u32::MAX);
        let mut bindings = vec![
            (SYS_UP_TIME.to_vec(), Value::TimeTicks(uptime)),
            (SNMP_TRAP_OID.to_vec(), Value::Oid(self.trap_oid.clone())),
        ];
        let data = event_data(event);
        for binding in &self.bindings {
            let text = binding.value.render(&data)?;
            let value = typed(binding.kind, &text).ok_or_else(|| ServiceError::Refused {
                service: "snmptrap",
                reason: format!("invalid value {text:?} for type {:?}", binding.kind),
            })?;
            bindings.push((binding.oid.clone(), value));
        }
        Ok(bindings)
    }

    /// The BER message of a trap with `bindings`.
    fn encode(&self, bindings: Vec<(Vec<u32>, Value)>) -> Result<Vec<u8>, ServiceError> {
        let message = Message {
            version: Integer::from(Message::<Trap>::VERSION),
            community: OctetString::from(self.community.clone().into_bytes()),
            data: Trap(Pdu {
                request_id: request_id(),
                error_status: Pdu::ERROR_STATUS_NO_ERROR,
                error_index: 0,
                variable_bindings: (bindings.into_iter())
                    .map(|(oid, value)| VarBind {
                        name: oid_of(oid),
                        value: value_of(value),
                    })
                    .collect(),
            }),
        };
        rasn::ber::encode(&message).map_err(|e| ServiceError::Refused {
            service: "snmptrap",
            reason: format!("cannot encode the trap: {e}"),
        })
    }

    /// Sends `message`, trying `retries` more times when the send fails.
    fn send(&self, message: &[u8]) -> std::io::Result<()> {
        let mut attempt = 0;
        loop {
            let sent = UdpSocket::bind(("0.0.0.0", 0))
                .and_then(|socket| socket.send_to(message, &self.addr).map(drop));
            match sent {
                Err(_) if attempt < self.retries => attempt += 1,
                other => return other,
            }
        }
    }
}

/// A request id for one trap: the low bits of the clock (traps are not answered).
fn request_id() -> i32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    i32::try_from(nanos & 0x7fff_ffff).unwrap_or(0)
}

/// An OID checked by [`parse_oid`].
fn oid_of(arcs: Vec<u32>) -> ObjectIdentifier {
    ObjectIdentifier::new_unchecked(arcs.into())
}

fn value_of(value: Value) -> VarBindValue {
    let simple = |s| VarBindValue::Value(ObjectSyntax::Simple(s));
    let application = |a| VarBindValue::Value(ObjectSyntax::ApplicationWide(a));
    match value {
        Value::Oid(oid) => simple(SimpleSyntax::ObjectId(oid_of(oid))),
        Value::Counter(n) => application(ApplicationSyntax::Counter(Counter(n))),
        Value::Integer(n) => simple(SimpleSyntax::Integer(Integer::from(n))),
        Value::Null => VarBindValue::Unspecified,
        Value::String(text) => simple(SimpleSyntax::String(OctetString::from(text.into_bytes()))),
        Value::TimeTicks(n) => application(ApplicationSyntax::Ticks(TimeTicks(n))),
    }
}

/// `text` as a value of `kind`, if it is one.
fn typed(kind: Kind, text: &str) -> Option<Value> {
    let text = text.trim();
    Some(match kind {
        Kind::Counter => Value::Counter(text.parse().ok()?),
        Kind::Integer => Value::Integer(i64::from(text.parse::<i32>().ok()?)),
        Kind::Null => Value::Null,
        Kind::String => Value::String(text.to_owned()),
        Kind::TimeTicks => Value::TimeTicks(text.parse().ok()?),
    })
}

/// A dotted OID (`1.3.6.1.4.1.1`, a leading dot allowed) that BER can encode.
fn parse_oid(text: &str) -> Result<Vec<u32>, String> {
    let invalid = || format!("invalid oid {text:?}");
    let ids = (text.trim_start_matches('.').split('.'))
        .map(|id| id.parse::<u32>().map_err(|_| invalid()))
        .collect::<Result<Vec<_>, _>>()?;
    match ids.as_slice() {
        [first, second, ..] if *first < 3 && *second < 40 => Ok(ids),
        _ => Err(invalid()),
    }
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    Ok(match text {
        "c" => Kind::Counter,
        "i" => Kind::Integer,
        "n" => Kind::Null,
        "s" => Kind::String,
        "t" => Kind::TimeTicks,
        other => {
            return Err(format!(
                "unsupported data type {other:?}, expected c, i, n, s or t"
            ))
        }
    })
}

impl Handler for SnmpTrapHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let message = self.encode(self.bindings(event)?)?;
        self.send(&message).map_err(|e| ServiceError::Refused {
            service: "snmptrap",
            reason: format!("cannot send a trap to {:?}: {e}", self.addr),
        })?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("snmptrap {:?}", self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_types_are_checked() {
        assert_eq!(parse_oid(".1.3.6.1"), Ok(vec![1, 3, 6, 1]));
        assert_eq!(parse_oid("1.x"), Err("invalid oid \"1.x\"".into()));
        assert_eq!(parse_oid("4.1"), Err("invalid oid \"4.1\"".into()));
        assert_eq!(
            parse_kind("x"),
            Err("unsupported data type \"x\", expected c, i, n, s or t".into())
        );
        assert!(typed(Kind::Integer, "3000000000").is_none());
        assert!(matches!(
            typed(Kind::Counter, " 7 "),
            Some(Value::Counter(7))
        ));
    }
}
