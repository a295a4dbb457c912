"""Framing edge cases: varint limits, short reads and writes, end of input."""

import io
import unittest

from support import TrickleReader, TrickleWriter, hex_bytes
from kapacitor.udf.framing import (
    FramingError,
    decode_uvarint32,
    encode_uvarint,
    frame,
    read_frame,
    write_frame,
)


class Varints(unittest.TestCase):
    def test_round_trip_across_byte_boundaries(self):
        for value in (0, 1, 127, 128, 16383, 16384, 2**21, 2**28 - 1, 2**28, 2**32 - 1):
            with self.subTest(value=value):
                encoded = encode_uvarint(value)
                self.assertEqual(decode_uvarint32(encoded), (value, len(encoded)))

    def test_a_32_bit_length_takes_five_bytes(self):
        self.assertEqual(encode_uvarint(2**32 - 1), hex_bytes("FF FF FF FF 0F"))

    def test_a_sixth_length_byte_is_refused(self):
        with self.assertRaisesRegex(FramingError, "too many bytes when decoding varint"):
            decode_uvarint32(hex_bytes("80 80 80 80 80 01"))

    def test_the_fifth_byte_is_masked_to_32_bits(self):
        self.assertEqual(decode_uvarint32(hex_bytes("FF FF FF FF 7F")), (2**32 - 1, 5))

    def test_an_unfinished_varint_needs_more_bytes(self):
        self.assertIsNone(decode_uvarint32(hex_bytes("80 80")))
        self.assertEqual(decode_uvarint32(hex_bytes("00 AC 02"), 1), (300, 3))

    def test_negative_lengths_are_refused(self):
        with self.assertRaisesRegex(FramingError, "negative length -1"):
            encode_uvarint(-1)


class Frames(unittest.TestCase):
    def test_frames_arrive_whole_from_one_byte_reads(self):
        payloads = [b"", b"x", bytes(range(256)) * 2]
        stream = TrickleReader(b"".join(frame(p) for p in payloads))
        self.assertEqual([read_frame(stream) for _ in payloads], payloads)
        self.assertIsNone(read_frame(stream))

    def test_a_zero_length_frame_is_an_empty_payload(self):
        self.assertEqual(read_frame(io.BytesIO(b"\x00")), b"")

    def test_end_of_input_at_a_frame_boundary_is_a_clean_end(self):
        self.assertIsNone(read_frame(io.BytesIO(b"")))

    def test_end_of_input_inside_the_length_is_a_clean_end(self):
        # As Kapacitor's Python agent: only a complete length starts a frame.
        self.assertIsNone(read_frame(io.BytesIO(b"\x80")))

    def test_end_of_input_inside_a_payload_names_the_payload_size(self):
        with self.assertRaisesRegex(FramingError, "unexpected EOF, expected 5 more bytes"):
            read_frame(TrickleReader(b"\x05abc"))

    def test_writes_loop_over_short_writes(self):
        out = TrickleWriter()
        payload = bytes(range(200))
        write_frame(out, payload)
        self.assertEqual(bytes(out.data), hex_bytes("C8 01") + payload)

    def test_a_writer_that_would_block_is_an_error(self):
        class Blocked(io.RawIOBase):
            def writable(self):
                return True

            def write(self, b):
                return None

        with self.assertRaisesRegex(FramingError, "would block with 3 bytes unwritten"):
            write_frame(Blocked(), b"ab")


if __name__ == "__main__":
    unittest.main()
