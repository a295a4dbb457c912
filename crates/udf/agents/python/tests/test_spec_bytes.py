"""Every byte example of the protocol spec (§1.2 lengths, §3.6 frames), both ways."""

import io
import unittest

from support import hex_bytes, udf_pb2
from kapacitor.udf.framing import decode_uvarint32, encode_uvarint, frame, read_frame


def init_size_request():
    request = udf_pb2.Request()
    request.init.options.add(name="size").values.add(type=udf_pb2.INT, intValue=10)
    request.init.taskID = "t"
    request.init.nodeID = "n"
    return request


def init_bool_request():
    request = udf_pb2.Request()
    request.init.options.add(name="b").values.add(type=udf_pb2.BOOL, boolValue=False)
    return request


def info_response():
    response = udf_pb2.Response()
    response.info.wants = udf_pb2.STREAM
    response.info.provides = udf_pb2.BATCH
    response.info.options["field"].valueTypes.append(udf_pb2.STRING)
    return response


def packed_info_response():
    response = udf_pb2.Response()
    response.info.options["x"].valueTypes.extend([udf_pb2.INT, udf_pb2.DOUBLE])
    return response


def point_request():
    request = udf_pb2.Request()
    point = request.point
    point.time = 1000000000
    point.name = "cpu"
    point.database = "db"
    point.retentionPolicy = "rp"
    point.tags["host"] = "a"
    point.fieldsDouble["v"] = 1.5
    return request


def empty_point_response():
    response = udf_pb2.Response()
    response.point.SetInParent()
    return response


# (message, hex) from ../shared/spec/udf-protocol.md §3.6, in its order.
EXAMPLES = [
    (udf_pb2.Request(info=udf_pb2.InfoRequest()), "02 0A 00"),
    (udf_pb2.Request(keepalive=udf_pb2.KeepaliveRequest(time=42)), "04 1A 02 08 2A"),
    (udf_pb2.Request(snapshot=udf_pb2.SnapshotRequest()), "02 22 00"),
    (udf_pb2.Request(restore=udf_pb2.RestoreRequest(snapshot=b"\x2a")), "05 2A 03 0A 01 2A"),
    (
        init_size_request(),
        "16 12 14 0A 0C 0A 04 73 69 7A 65 12 04 08 01 18 0A 12 01 74 1A 01 6E",
    ),
    (init_bool_request(), "0B 12 09 0A 07 0A 01 62 12 02 10 00"),
    (info_response(), "12 0A 10 10 01 1A 0C 0A 05 66 69 65 6C 64 12 03 0A 01 03"),
    (packed_info_response(), "0D 0A 0B 1A 09 0A 01 78 12 04 0A 02 01 02"),
    (udf_pb2.Response(init=udf_pb2.InitResponse(success=True)), "04 12 02 08 01"),
    (udf_pb2.Response(keepalive=udf_pb2.KeepaliveResponse(time=42)), "04 1A 02 08 2A"),
    (udf_pb2.Response(error=udf_pb2.ErrorResponse(error="boom")), "08 32 06 0A 04 62 6F 6F 6D"),
    (
        point_request(),
        "2F 8A 01 2C 08 80 94 EB DC 03 12 03 63 70 75 1A 02 64 62 22 02 72 70 3A 09 0A 04 "
        "68 6F 73 74 12 01 61 42 0C 0A 01 76 11 00 00 00 00 00 00 F8 3F",
    ),
    (
        udf_pb2.Response(begin=udf_pb2.BeginBatch(name="cpu", size=2)),
        "0A 82 01 07 0A 03 63 70 75 20 02",
    ),
    (
        udf_pb2.Response(end=udf_pb2.EndBatch(name="cpu", tmax=5)),
        "0A 92 01 07 0A 03 63 70 75 18 05",
    ),
    (empty_point_response(), "03 8A 01 00"),
]

# Length -> varint bytes, from §1.2.
LENGTHS = [(2, "02"), (127, "7F"), (128, "80 01"), (207, "CF 01"), (300, "AC 02")]


class SpecByteExamples(unittest.TestCase):
    def test_encoding_gives_the_spec_bytes(self):
        for message, expected in EXAMPLES:
            with self.subTest(expected=expected):
                self.assertEqual(frame(message.SerializeToString()), hex_bytes(expected))

    def test_decoding_the_spec_bytes_gives_the_message(self):
        for message, expected in EXAMPLES:
            with self.subTest(expected=expected):
                payload = read_frame(io.BytesIO(hex_bytes(expected)))
                decoded = type(message)()
                decoded.ParseFromString(payload)
                self.assertEqual(decoded, message)
                self.assertEqual(decoded.WhichOneof("message"), message.WhichOneof("message"))

    def test_field_numbers_that_are_easy_to_swap(self):
        point = udf_pb2.Point()
        self.assertEqual(point.DESCRIPTOR.fields_by_name["byName"].number, 11)
        self.assertEqual(point.DESCRIPTOR.fields_by_name["fieldsBool"].number, 12)
        self.assertEqual(udf_pb2.Response.DESCRIPTOR.fields_by_name["error"].number, 6)

    def test_length_examples(self):
        for length, expected in LENGTHS:
            with self.subTest(length=length):
                self.assertEqual(encode_uvarint(length), hex_bytes(expected))
                self.assertEqual(
                    decode_uvarint32(hex_bytes(expected)), (length, len(hex_bytes(expected)))
                )


if __name__ == "__main__":
    unittest.main()
