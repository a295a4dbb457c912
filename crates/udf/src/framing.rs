//! Kapacitor's UDF framing (kapacitor-compat.md, udf-protocol §1.2): each protobuf message is
//! preceded by its length as an unsigned LEB128 varint, nothing else.
//!
//! [`decode_length`] tells a length prefix that needs more bytes ([`Length::NeedMore`])
//! apart from one that can never be valid ([`FrameError`]); [`FrameReader`] reads whole
//! frames from a byte stream, telling a clean end (EOF at a frame boundary) from a
//! stream cut inside a frame.

use std::io::{self, BufRead};

/// The largest payload we accept from an agent: 256 MiB. Kapacitor enforces none; a
/// length above this is a broken or hostile agent.
pub const MAX_FRAME: u64 = 256 * 1024 * 1024;

/// The most bytes a length prefix may have (a 64-bit varint).
const MAX_LENGTH_BYTES: usize = 10;

/// A length prefix or frame that can never be valid.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The varint goes on past ten bytes.
    #[error("invalid frame length: varint longer than {MAX_LENGTH_BYTES} bytes")]
    VarintTooLong,
    /// The varint's value does not fit 64 bits.
    #[error("invalid frame length: varint overflows 64 bits")]
    VarintOverflow,
    /// The length is above [`MAX_FRAME`].
    #[error("frame of {length} bytes is larger than the limit of {MAX_FRAME} bytes")]
    TooLarge {
        /// The announced payload length.
        length: u64,
    },
    /// The stream ends inside a frame (Kapacitor's words).
    #[error("unexpected EOF, expected {expected} more bytes")]
    UnexpectedEof {
        /// The whole payload's size.
        expected: u64,
    },
    /// The stream ends inside the length prefix.
    #[error("unexpected EOF inside a frame length")]
    EofInLength,
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[from] io::Error),
}

/// What the start of a buffer says about the frame length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// The prefix is not complete yet.
    NeedMore,
    /// The payload is `length` bytes, after a prefix of `prefix` bytes.
    Complete {
        /// The payload's length.
        length: u64,
        /// How many bytes the prefix took.
        prefix: usize,
    },
}

/// Decodes the varint length prefix at the start of `bytes`.
pub fn decode_length(bytes: &[u8]) -> Result<Length, FrameError> {
    let mut length: u64 = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if i == MAX_LENGTH_BYTES {
            return Err(FrameError::VarintTooLong);
        }
        let low = u64::from(byte & 0x7f);
        if i == MAX_LENGTH_BYTES - 1 && low > 1 {
            return Err(FrameError::VarintOverflow);
        }
        length |= low << (7 * i);
        if byte & 0x80 == 0 {
            if length > MAX_FRAME {
                return Err(FrameError::TooLarge { length });
            }
            return Ok(Length::Complete {
                length,
                prefix: i + 1,
            });
        }
    }
    if bytes.len() >= MAX_LENGTH_BYTES {
        return Err(FrameError::VarintTooLong);
    }
    Ok(Length::NeedMore)
}

/// Appends `message` as one frame (length prefix and payload) to `out`.
pub fn encode_frame(message: &impl prost::Message, out: &mut Vec<u8>) {
    let length = message.encoded_len();
    out.reserve(length + MAX_LENGTH_BYTES);
    prost::encoding::encode_varint(length as u64, out);
    message.encode_raw(out);
}

/// One frame as bytes.
pub fn frame(message: &impl prost::Message) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(message, &mut out);
    out
}

/// Reads frames from a byte stream.
#[derive(Debug)]
pub struct FrameReader<R> {
    reader: R,
    payload: Vec<u8>,
}

impl<R: BufRead> FrameReader<R> {
    /// A reader over `reader`.
    pub fn new(reader: R) -> Self {
        FrameReader {
            reader,
            payload: Vec::new(),
        }
    }

    /// The next frame's payload, or `None` at a clean end of stream.
    pub fn read_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        let Some(length) = self.read_length()? else {
            return Ok(None);
        };
        let size = usize::try_from(length).map_err(|_| FrameError::TooLarge { length })?;
        self.payload.clear();
        self.payload.resize(size, 0);
        self.reader
            .read_exact(&mut self.payload)
            .map_err(|err| match err.kind() {
                io::ErrorKind::UnexpectedEof => FrameError::UnexpectedEof { expected: length },
                _ => FrameError::Io(err),
            })?;
        Ok(Some(&self.payload))
    }

    /// Reads and decodes the next frame as an `M`, or `None` at a clean end of stream.
    pub fn read_message<M: prost::Message + Default>(
        &mut self,
    ) -> Result<Option<M>, ReadMessageError> {
        match self.read_frame()? {
            Some(payload) => Ok(Some(M::decode(payload)?)),
            None => Ok(None),
        }
    }

    /// Reads the length prefix byte by byte; `None` when the stream ends before it.
    fn read_length(&mut self) -> Result<Option<u64>, FrameError> {
        let mut prefix = [0u8; MAX_LENGTH_BYTES];
        let mut filled = 0;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err.into()),
            };
            let Some(&byte) = available.first() else {
                return if filled == 0 {
                    Ok(None)
                } else {
                    Err(FrameError::EofInLength)
                };
            };
            self.reader.consume(1);
            prefix[filled] = byte;
            filled += 1;
            if let Length::Complete { length, .. } = decode_length(&prefix[..filled])? {
                return Ok(Some(length));
            }
        }
    }
}

/// A frame that could not be read or decoded.
#[derive(Debug, thiserror::Error)]
pub enum ReadMessageError {
    /// The framing is broken.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The payload is not a valid protobuf message.
    #[error("invalid message: {0}")]
    Decode(#[from] prost::DecodeError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length_bytes(length: u64) -> Vec<u8> {
        let mut out = Vec::new();
        prost::encoding::encode_varint(length, &mut out);
        out
    }

    #[test]
    fn lengths_of_the_spec_encode_and_decode() {
        // spec §1.2: 2 → 02; 127 → 7F; 128 → 80 01; 207 → CF 01; 300 → AC 02.
        let cases: [(u64, &[u8]); 5] = [
            (2, &[0x02]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (207, &[0xcf, 0x01]),
            (300, &[0xac, 0x02]),
        ];
        for (length, bytes) in cases {
            assert_eq!(length_bytes(length), bytes, "encoding {length}");
            assert_eq!(
                decode_length(bytes).expect("valid"),
                Length::Complete {
                    length,
                    prefix: bytes.len()
                },
                "decoding {bytes:02x?}"
            );
        }
    }

    #[test]
    fn a_cut_prefix_needs_more_and_a_bad_one_is_invalid() {
        assert_eq!(decode_length(&[]).expect("empty"), Length::NeedMore);
        assert_eq!(decode_length(&[0x80]).expect("cut"), Length::NeedMore);
        let too_long = [0x80; 11];
        assert!(matches!(
            decode_length(&too_long),
            Err(FrameError::VarintTooLong)
        ));
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        assert!(matches!(
            decode_length(&overflow),
            Err(FrameError::VarintOverflow)
        ));
        let huge = length_bytes(MAX_FRAME + 1);
        assert!(matches!(
            decode_length(&huge),
            Err(FrameError::TooLarge { length }) if length == MAX_FRAME + 1
        ));
    }

    #[test]
    fn the_reader_tells_a_clean_end_from_a_cut_frame() {
        let mut reader = FrameReader::new(&[0x02, 0x0a, 0x00][..]);
        assert_eq!(reader.read_frame().expect("frame"), Some(&[0x0a, 0x00][..]));
        assert!(reader.read_frame().expect("clean end").is_none());

        let mut cut = FrameReader::new(&[0x05, 0x0a][..]);
        let err = cut.read_frame().expect_err("cut");
        assert_eq!(err.to_string(), "unexpected EOF, expected 5 more bytes");

        let mut cut_length = FrameReader::new(&[0x80][..]);
        assert!(matches!(
            cut_length.read_frame(),
            Err(FrameError::EofInLength)
        ));
    }
}
