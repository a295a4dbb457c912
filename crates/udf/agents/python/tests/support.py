"""Shared test helpers: paths, in-memory streams, and a driver for agents over pipes.

Importing this module puts the agent package (crates/udf/agents/python) on sys.path.
Optional tools that some tests need (grpcio-tools, scipy) are looked up in the current
interpreter first, then in the folders .ci/run installs them into (target/py-tools/*).
"""

import importlib.util
import io
import os
import queue
import subprocess
import sys
import threading

PY_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.normpath(os.path.join(PY_ROOT, "..", "..", "..", ".."))
TESTS_DIR = os.path.join(PY_ROOT, "tests")
TTEST_SCRIPT = os.path.join(REPO_ROOT, "tickscripts", "udf", "ttest.py")
TOOLS_DIR = os.path.join(REPO_ROOT, "target", "py-tools")

if PY_ROOT not in sys.path:
    sys.path.insert(0, PY_ROOT)

from kapacitor.udf import udf_pb2  # noqa: E402
from kapacitor.udf.framing import decode_uvarint32, frame  # noqa: E402

# How long a test waits for an agent's answer before failing.
TIMEOUT = 30.0


def tool_path(module, folder):
    """A PYTHONPATH entry that provides ``module``: "" when this interpreter has it,
    ``target/py-tools/<folder>`` when .ci/run installed it there, else None."""
    if importlib.util.find_spec(module) is not None:
        return ""
    candidate = os.path.join(TOOLS_DIR, folder)
    if os.path.isdir(os.path.join(candidate, module)):
        return candidate
    return None


def require_tool(test, module, folder, why):
    """The PYTHONPATH entry for an optional tool (see ``tool_path``). Without it the test
    is skipped, or fails under CI (where .ci/run installs it), saying ``why``."""
    path = tool_path(module, folder)
    if path is None:
        message = "{} needs {}, which is not installed ({}); .ci/run installs it into {}".format(
            test.id(), module, why, os.path.join(TOOLS_DIR, folder)
        )
        if os.environ.get("CI"):
            test.fail(message)
        test.skipTest(message)
    return path


def load_ttest_module():
    """tickscripts/udf/ttest.py imported as a module (its main() does not run)."""
    spec = importlib.util.spec_from_file_location("tickflow_ttest", TTEST_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hex_bytes(text):
    """``"02 0A 00"`` -> ``b"\\x02\\x0a\\x00"``."""
    return bytes.fromhex(text.replace(" ", ""))


def request_frame(**kwargs):
    """The frame of a Request built with keyword fields, e.g. ``keepalive={"time": 1}``."""
    return frame(udf_pb2.Request(**kwargs).SerializeToString())


def parse_responses(data):
    """Splits a byte string of Response frames into Response messages."""
    responses = []
    pos = 0
    while pos < len(data):
        decoded = decode_uvarint32(data, pos)
        if decoded is None:
            raise AssertionError("truncated length prefix at byte {}".format(pos))
        size, pos = decoded
        if pos + size > len(data):
            raise AssertionError("truncated frame at byte {}".format(pos))
        response = udf_pb2.Response()
        response.ParseFromString(data[pos : pos + size])
        responses.append(response)
        pos += size
    return responses


class KeptBytesIO(io.BytesIO):
    """A BytesIO whose content survives ``close()`` (the agent closes its output)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.kept = b""
        self.closed_by_agent = False

    def close(self):
        if not self.closed:
            self.kept = self.getvalue()
            self.closed_by_agent = True
        super().close()

    def data(self):
        """Everything written, open or closed."""
        return self.kept if self.closed else self.getvalue()


class TrickleReader(io.RawIOBase):
    """A raw stream that returns at most one byte per read, like a slow pipe."""

    def __init__(self, data):
        self._data = data
        self._pos = 0

    def readable(self):
        return True

    def read(self, size=-1):
        if self._pos >= len(self._data) or size == 0:
            return b""
        chunk = self._data[self._pos : self._pos + 1]
        self._pos += 1
        return chunk


class TrickleWriter(io.RawIOBase):
    """A raw stream that takes at most three bytes per write, like a full pipe."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        taken = bytes(b[:3])
        self.data += taken
        return len(taken)


def run_agent(handler_factory, data):
    """Runs an Agent over in-memory streams holding ``data`` until it ends.

    Returns ``(responses, output)``: the parsed Response messages and the output stream.
    """
    from kapacitor.udf.agent import Agent

    out = KeptBytesIO()
    agent = Agent(io.BytesIO(data), out)
    agent.handler = handler_factory(agent)
    agent.start()
    agent.wait()
    return parse_responses(out.data()), out


class ResponseReader(object):
    """Reads Response frames from a binary stream on a thread, into a queue."""

    def __init__(self, stream):
        from kapacitor.udf.framing import read_frame

        self._queue = queue.Queue()
        self._read_frame = read_frame
        self._stream = stream
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while True:
                payload = self._read_frame(self._stream)
                if payload is None:
                    self._queue.put(None)
                    return
                response = udf_pb2.Response()
                response.ParseFromString(payload)
                self._queue.put(response)
        except Exception as err:  # surfaced to the test by next()
            self._queue.put(err)

    def next(self, timeout=TIMEOUT):
        """The next Response, or None at end of stream; fails after ``timeout``."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no response from the agent within {}s".format(timeout))
        if isinstance(item, Exception):
            raise item
        return item

    def rest(self, timeout=TIMEOUT):
        """Every Response until end of stream."""
        items = []
        while True:
            item = self.next(timeout)
            if item is None:
                return items
            items.append(item)


class AgentProcess(object):
    """A UDF script run as Kapacitor runs it: ``python3 -u script``, driven over pipes.

    The child's PYTHONPATH is the agent package (unless ``agent_on_path`` is false)
    followed by ``extra_paths``."""

    def __init__(self, script, extra_paths=(), unbuffered=True, agent_on_path=True, cwd=None):
        env = dict(os.environ)
        paths = ([PY_ROOT] if agent_on_path else []) + [p for p in extra_paths if p]
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        else:
            env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen(
            [sys.executable] + (["-u"] if unbuffered else []) + [script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        self.responses = ResponseReader(self.proc.stdout)
        self._stderr = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def send(self, **kwargs):
        """Sends one Request built from keyword fields."""
        self.send_bytes(request_frame(**kwargs))

    def send_bytes(self, data):
        """Sends raw bytes to the agent's stdin."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def ask(self, **kwargs):
        """Sends one Request and returns the next Response."""
        self.send(**kwargs)
        return self.responses.next()

    def close(self):
        """Closes stdin, collects the remaining responses and the exit status."""
        self.proc.stdin.close()
        rest = self.responses.rest()
        status = self.proc.wait(timeout=TIMEOUT)
        self._stderr_thread.join(timeout=TIMEOUT)
        return rest, status

    def stderr(self):
        """What the agent wrote to stderr so far."""
        return "".join(self._stderr)

    def kill(self):
        """Ends the process if a test left it running."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


def batch_requests(values, field="hotend", tmax=0, name="temperatures", tags=None, group=""):
    """The Requests of one batch of group ``group``: begin, a point per value, end."""
    tags = dict(tags or {})
    begin = udf_pb2.BeginBatch(name=name, group=group, tags=tags, size=len(values))
    requests = [udf_pb2.Request(begin=begin)]
    for i, value in enumerate(values):
        point = udf_pb2.Point(time=i, tags=tags)
        point.fieldsDouble[field] = value
        requests.append(udf_pb2.Request(point=point))
    requests.append(
        udf_pb2.Request(end=udf_pb2.EndBatch(name=name, group=group, tmax=tmax, tags=tags))
    )
    return requests


def frames_of(requests):
    """The concatenated frames of Request messages."""
    return b"".join(frame(r.SerializeToString()) for r in requests)


def ttest_init(field="hotend", size=3600, alpha=0.001):
    """The InitRequest of the guide's tTest node."""
    init = udf_pb2.InitRequest(taskID="print_temps", nodeID="tTest2")
    init.options.add(name="field").values.add(type=udf_pb2.STRING, stringValue=field)
    init.options.add(name="size").values.add(type=udf_pb2.INT, intValue=size)
    init.options.add(name="alpha").values.add(type=udf_pb2.DOUBLE, doubleValue=alpha)
    return init
