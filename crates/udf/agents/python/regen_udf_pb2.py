#!/usr/bin/env python3
"""Regenerates (or checks) kapacitor/udf/udf_pb2.py from crates/udf/proto/udf.proto.

The committed udf_pb2.py is made by the protoc bundled in grpcio-tools PINNED_GRPCIO_TOOLS
(protoc 4.25.1). That gencode carries no runtime version check, so it imports without a
warning under every protobuf runtime from 4.21 to 7.x; newer protoc output would refuse
runtimes older than itself.

    pip install --target DIR grpcio-tools==1.62.3
    PYTHONPATH=DIR python3 crates/udf/agents/python/regen_udf_pb2.py          # rewrite
    PYTHONPATH=DIR python3 crates/udf/agents/python/regen_udf_pb2.py --check  # exit 1 if stale
"""

import argparse
import os
import sys
import tempfile

PINNED_GRPCIO_TOOLS = "1.62.3"

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTO_FILE = "udf.proto"
COMMITTED = os.path.join(HERE, "kapacitor", "udf", "udf_pb2.py")


class RegenError(Exception):
    """Generation could not run or produced nothing."""


def grpcio_tools_version():
    """The installed grpcio-tools version, or None when it is not installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return None
    try:
        return version("grpcio-tools")
    except PackageNotFoundError:
        return None


def generate():
    """Runs the pinned protoc on udf.proto and returns the generated udf_pb2.py text."""
    found = grpcio_tools_version()
    if found != PINNED_GRPCIO_TOOLS:
        raise RegenError(
            "needs grpcio-tools=={} (found {}): pip install --target DIR grpcio-tools=={} "
            "and run with PYTHONPATH=DIR".format(PINNED_GRPCIO_TOOLS, found, PINNED_GRPCIO_TOOLS)
        )
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory() as out_dir:
        argv = ["protoc", "-I" + PROTO_DIR, "--python_out=" + out_dir, PROTO_FILE]
        status = protoc.main(argv)
        generated = os.path.join(out_dir, "udf_pb2.py")
        if status != 0 or not os.path.exists(generated):
            raise RegenError("protoc failed on {} (status {})".format(PROTO_FILE, status))
        with open(generated, encoding="utf-8") as f:
            return f.read()


def committed():
    """The committed udf_pb2.py text."""
    with open(COMMITTED, encoding="utf-8") as f:
        return f.read()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the committed file is stale"
    )
    args = parser.parse_args(argv)
    try:
        fresh = generate()
    except RegenError as err:
        print("regen_udf_pb2: {}".format(err), file=sys.stderr)
        return 2
    if args.check:
        if fresh != committed():
            print(
                "regen_udf_pb2: {} is stale; run {} to regenerate it".format(
                    os.path.relpath(COMMITTED), os.path.relpath(__file__)
                ),
                file=sys.stderr,
            )
            return 1
        return 0
    with open(COMMITTED, "w", encoding="utf-8") as f:
        f.write(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
