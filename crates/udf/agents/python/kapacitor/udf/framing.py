"""Length framing of the UDF protocol: a varint length, then that many payload bytes.

The length is an unsigned LEB128 varint (protobuf's own varint, 7 bits per byte, least
significant group first). As in Kapacitor's Python agent, a reader accepts at most five
length bytes and a 32-bit result; end of input before the first length byte, or inside
the length prefix, is a clean end of the stream; end of input inside a payload is an
error. Reads are looped, so a stream that returns fewer bytes than asked works too.
"""

MAX_VARINT32_BYTES = 5


class FramingError(Exception):
    """A frame could not be read or written."""


def encode_uvarint(value):
    """The unsigned LEB128 varint bytes of ``value``."""
    if value < 0:
        raise FramingError("cannot encode negative length {}".format(value))
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_uvarint32(data, pos=0):
    """Decodes a varint from ``data`` at ``pos``: ``(value, next_pos)``.

    Returns ``None`` when ``data`` ends before the varint does (more bytes needed);
    raises ``FramingError`` when the varint is longer than a 32-bit length allows.
    """
    value = 0
    for i in range(MAX_VARINT32_BYTES):
        if pos + i >= len(data):
            return None
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value & 0xFFFFFFFF, pos + i + 1
    raise FramingError("too many bytes when decoding varint, larger than 32bit uint")


def read_length(stream):
    """Reads a length prefix from ``stream``; ``None`` at end of input."""
    prefix = bytearray()
    while True:
        byte = stream.read(1)
        if not byte:
            return None
        prefix += byte
        decoded = decode_uvarint32(prefix)
        if decoded is not None:
            return decoded[0]


def read_exact(stream, size):
    """Reads exactly ``size`` bytes, looping over short reads.

    Raises ``FramingError`` when the stream ends first.
    """
    chunks = []
    missing = size
    while missing > 0:
        chunk = stream.read(missing)
        if not chunk:
            raise FramingError("unexpected EOF, expected {} more bytes".format(size))
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(stream):
    """Reads one frame's payload from ``stream``; ``None`` at a clean end of input."""
    size = read_length(stream)
    if size is None:
        return None
    return read_exact(stream, size)


def frame(payload):
    """The bytes of one frame holding ``payload``."""
    return encode_uvarint(len(payload)) + payload


def write_all(stream, data):
    """Writes all of ``data``, looping when a raw stream takes only part of it."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if written is None:
            raise FramingError("output would block with {} bytes unwritten".format(len(view)))
        view = view[written:]


def write_frame(stream, payload):
    """Writes ``payload`` as one frame to ``stream`` (without flushing)."""
    write_all(stream, frame(payload))
