"""udf_pb2.py is what crates/udf/proto/udf.proto generates (a stale copy fails)."""

import os
import re
import subprocess
import sys
import unittest

from support import PY_ROOT, require_tool, udf_pb2

PROTO = os.path.join(PY_ROOT, "..", "..", "proto", "udf.proto")
REGEN = os.path.join(PY_ROOT, "regen_udf_pb2.py")

FIELD = re.compile(r"^\s*(?:repeated\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;")
ENUM_VALUE = re.compile(r"^\s*([A-Z_]+)\s*=\s*(\d+)\s*;")
BLOCK = re.compile(r"^\s*(message|enum|oneof)\s+(\w+)\s*\{")


def proto_numbers():
    """{(container, name): number} for every field and enum value in udf.proto."""
    numbers = {}
    stack = []
    with open(PROTO, encoding="utf-8") as f:
        for line in f:
            line = line.split("//")[0]
            block = BLOCK.match(line)
            if block:
                # A oneof's fields belong to the message around it.
                stack.append(stack[-1] if block.group(1) == "oneof" else block.group(2))
                continue
            if "}" in line:
                stack.pop()
                continue
            match = (ENUM_VALUE.match(line) or FIELD.match(line)) if stack else None
            if match:
                numbers[(stack[-1], match.group(1))] = int(match.group(2))
    return numbers


def descriptor_numbers():
    """The same mapping, read from the committed udf_pb2's descriptor."""
    numbers = {}
    file = udf_pb2.DESCRIPTOR
    for message in file.message_types_by_name.values():
        for field in message.fields:
            numbers[(message.name, field.name)] = field.number
    for enum in file.enum_types_by_name.values():
        for value in enum.values:
            numbers[(enum.name, value.name)] = value.number
    return numbers


class GeneratedCode(unittest.TestCase):
    def test_every_field_and_enum_number_matches_the_proto(self):
        expected = proto_numbers()
        self.assertGreater(len(expected), 60)
        self.assertEqual(descriptor_numbers(), expected)

    def test_the_committed_file_is_what_the_pinned_protoc_generates(self):
        path = require_tool(
            self, "grpc_tools", "grpc", "grpcio-tools==1.62.3 regenerates udf_pb2.py"
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (path, env.get("PYTHONPATH")) if p)
        result = subprocess.run(
            [sys.executable, REGEN, "--check"], env=env, capture_output=True, text=True
        )
        if result.returncode == 2 and not os.environ.get("CI"):
            self.skipTest(result.stderr.strip())
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()
