//! Record framing for the WAL and the delivery log: `[length u32][crc32 u32][body]`,
//! little-endian, the CRC-32 over the body. Reading tells a whole record apart from a
//! torn or damaged tail ([`Read::Torn`]), which is what a crash mid-append leaves.

/// The bytes before a record's body.
pub(crate) const HEADER: usize = 8;

/// The largest body a frame may carry; a longer length is damage, not a record.
pub(crate) const MAX_BODY: usize = 1 << 30;

/// One record framed.
pub(crate) fn encode(body: &[u8], out: &mut Vec<u8>) {
    // MAX_BODY keeps the length within a u32; bodies come from bounded HTTP requests.
    let length = u32::try_from(body.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
}

/// What [`read`] found at an offset.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read<'a> {
    /// A whole record: its body and the length of its frame.
    Record(&'a [u8], usize),
    /// Nothing left.
    End,
    /// A record cut short or damaged: why.
    Torn(&'static str),
}

/// The record at the start of `bytes`.
pub(crate) fn read(bytes: &[u8]) -> Read<'_> {
    if bytes.is_empty() {
        return Read::End;
    }
    let Some((header, rest)) = bytes.split_first_chunk::<HEADER>() else {
        return Read::Torn("header cut short");
    };
    let [l0, l1, l2, l3, c0, c1, c2, c3] = *header;
    let length = u32::from_le_bytes([l0, l1, l2, l3]) as usize;
    let crc = u32::from_le_bytes([c0, c1, c2, c3]);
    if length > MAX_BODY {
        return Read::Torn("length out of range");
    }
    let Some(body) = rest.get(..length) else {
        return Read::Torn("body cut short");
    };
    if crc32fast::hash(body) != crc {
        return Read::Torn("checksum mismatch");
    }
    Read::Record(body, HEADER + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_records_read_back_and_damage_is_told_apart() {
        let mut bytes = Vec::new();
        encode(b"one", &mut bytes);
        encode(b"two", &mut bytes);
        let Read::Record(body, used) = read(&bytes) else {
            panic!("a record")
        };
        assert_eq!((body, used), (&b"one"[..], HEADER + 3));
        assert_eq!(read(&bytes[used..]), Read::Record(b"two", HEADER + 3));
        assert_eq!(read(&bytes[2 * used..]), Read::End);
        assert_eq!(read(&bytes[..5]), Read::Torn("header cut short"));
        assert_eq!(read(&bytes[..used - 1]), Read::Torn("body cut short"));
        bytes[HEADER] ^= 1;
        assert_eq!(read(&bytes), Read::Torn("checksum mismatch"));
    }
}
