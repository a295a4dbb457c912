//! [`Partitioner`]: which partition of a topic an alert goes to. By default every event
//! of one alert id goes to the same partition, the id's hash modulo the partition count,
//! with the hash `.partitionHashAlgorithm()` names: `crc32` (the default, librdkafka's
//! consistent partitioner), `murmur2` (the Java client's) or `fnv-1a`. With
//! `.disablePartitionById()` events are spread over the partitions in turn.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// A hash of the alert id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// CRC-32 (IEEE).
    Crc32,
    /// Kafka's murmur2, made positive as the Java client does.
    Murmur2,
    /// 32-bit FNV-1a.
    Fnv1a,
}

impl HashAlgorithm {
    /// The algorithm named `name` (empty for the default, `crc32`).
    pub fn parse(name: &str) -> Result<HashAlgorithm, String> {
        match name {
            "" | "crc32" => Ok(HashAlgorithm::Crc32),
            "murmur2" => Ok(HashAlgorithm::Murmur2),
            "fnv-1a" => Ok(HashAlgorithm::Fnv1a),
            other => Err(format!(
                "unknown partition hash algorithm {other:?}, expected crc32, murmur2 or fnv-1a"
            )),
        }
    }

    /// The partition of `key` among `count` partitions (`count` > 0).
    fn partition(self, key: &[u8], count: usize) -> usize {
        let hash = match self {
            HashAlgorithm::Crc32 => crc32(key),
            HashAlgorithm::Murmur2 => murmur2(key) & 0x7fff_ffff,
            HashAlgorithm::Fnv1a => fnv1a(key),
        };
        usize::try_from(hash).unwrap_or(0) % count
    }
}

/// How a handler picks partitions.
#[derive(Debug)]
pub enum Partitioner {
    /// By the alert id's hash.
    ById(HashAlgorithm),
    /// In turn.
    RoundRobin(AtomicUsize),
}

impl Partitioner {
    /// The partition of the event with id `id` among `count` partitions (`count` > 0).
    pub fn pick(&self, id: &str, count: usize) -> usize {
        match self {
            Partitioner::ById(hash) => hash.partition(id.as_bytes(), count),
            Partitioner::RoundRobin(next) => next.fetch_add(1, Relaxed) % count,
        }
    }
}

/// CRC-32 with the IEEE polynomial (reflected), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// 32-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
    })
}

/// Kafka's murmur2 (seed `0x9747b28c`), as its Java client computes it.
fn murmur2(bytes: &[u8]) -> u32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    let mut h = 0x9747_b28c ^ length;
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(first) = tail.first() {
        h ^= u32::from(*first);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^ (h >> 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn fnv1a_matches_known_values() {
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn murmur2_matches_the_java_clients_values() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107),
        ];
        for (key, want) in cases {
            assert_eq!(murmur2(key) as i32, want, "{key:?}");
        }
    }

    #[test]
    fn one_id_always_goes_to_one_partition() {
        let by_id = Partitioner::ById(HashAlgorithm::Murmur2);
        let first = by_id.pick("cpu:host=a", 7);
        assert!((0..20).all(|_| by_id.pick("cpu:host=a", 7) == first));
        // Kafka's murmur2 of "21" is -973932308: positive 1173551340, modulo 16 is 12.
        assert_eq!(by_id.pick("21", 16), 12);
    }

    #[test]
    fn round_robin_takes_each_partition_in_turn() {
        let turn = Partitioner::RoundRobin(AtomicUsize::new(0));
        let picks: Vec<_> = (0..4).map(|_| turn.pick("same", 3)).collect();
        assert_eq!(picks, [0, 1, 2, 0]);
    }

    #[test]
    fn unknown_algorithms_are_named() {
        assert_eq!(HashAlgorithm::parse("").ok(), Some(HashAlgorithm::Crc32));
        let error = HashAlgorithm::parse("md5").err().unwrap_or_default();
        assert!(error.contains("\"md5\""), "{error}");
    }
}
