"""The UDF agent: the same API as Kapacitor's Python agent, written from the protocol spec.

An ``Agent`` reads framed ``udf_pb2.Request`` messages from its input on one reader thread
and calls its ``Handler``:

* ``info``, ``init``, ``snapshot``, ``restore`` must return a complete ``udf_pb2.Response``
  (e.g. ``response.init.success = True``); the agent writes it and flushes.
* ``keepalive`` is answered by the agent itself, echoing the request's time.
* ``begin``, ``point``, ``end`` go to ``begin_batch``, ``point``, ``end_batch``; their
  return values are ignored and data goes back with ``Agent.write_response``.
* An empty or unknown request is logged and skipped.

Any exception (a bad frame, a handler exception, a handler returning ``None``, as the base
``Handler.snapshot`` does) is logged with its traceback on stderr, answered with
``ErrorResponse{error: "error processing request of type <kind>: <exception>"}`` and ends
the agent; ``wait()`` then returns. End of input ends the agent cleanly.

``Server`` runs one agent per connection on a Unix socket, for ``socket = "..."`` UDFs.
"""

import logging
import os
import socket
import sys
import threading

from kapacitor.udf import udf_pb2
from kapacitor.udf.framing import read_frame, write_frame

logger = logging.getLogger(__name__)

UNKNOWN_KIND = "unknown"


class Handler(object):
    """Base class of UDF handlers: every method does nothing and returns ``None``.

    The agent calls a handler from its single reader thread, never concurrently.
    """

    def info(self):
        """Returns a ``Response`` with ``info`` set: edges and options."""

    def init(self, init_req):
        """Returns a ``Response`` with ``init`` set, given the ``InitRequest``."""

    def snapshot(self):
        """Returns a ``Response`` with ``snapshot`` set: the handler's state as bytes."""

    def restore(self, restore_req):
        """Returns a ``Response`` with ``restore`` set, given the ``RestoreRequest``."""

    def begin_batch(self, begin_req):
        """Called with the ``BeginBatch`` that opens a batch."""

    def point(self, point):
        """Called with each ``Point``, in a batch or on a stream."""

    def end_batch(self, end_req):
        """Called with the ``EndBatch`` that closes a batch."""


def _management_calls():
    """Request kind -> how the handler answers it (the answer is written back)."""
    return {
        "info": lambda handler, request: handler.info(),
        "init": lambda handler, request: handler.init(request.init),
        "snapshot": lambda handler, request: handler.snapshot(),
        "restore": lambda handler, request: handler.restore(request.restore),
    }


def _data_calls():
    """Request kind -> the handler call for data (nothing is written back)."""
    return {
        "begin": lambda handler, request: handler.begin_batch(request.begin),
        "point": lambda handler, request: handler.point(request.point),
        "end": lambda handler, request: handler.end_batch(request.end),
    }


MANAGEMENT_CALLS = _management_calls()
DATA_CALLS = _data_calls()


class Agent(object):
    """Speaks the UDF protocol on a pair of binary streams for one handler.

    ``_in`` and ``out`` default to the process's stdin and stdout (binary).
    """

    def __init__(self, _in=None, out=None, handler=None):
        self._in = _in if _in is not None else sys.stdin.buffer
        self._out = out if out is not None else sys.stdout.buffer
        self.handler = handler
        self._write_lock = threading.Lock()
        self._thread = None

    def start(self):
        """Starts the reader thread."""
        self._thread = threading.Thread(target=self._read_loop, name="udf-agent-reader")
        self._thread.start()

    def wait(self):
        """Waits for the reader thread to end, then closes the input and the output."""
        if self._thread is not None:
            self._thread.join()
        for stream in (self._in, self._out):
            self._close(stream)

    def write_response(self, response, flush=False):
        """Writes one ``Response`` frame; thread safe. Flushes only when asked."""
        if response is None:
            raise TypeError("cannot write None response")
        payload = response.SerializeToString()
        with self._write_lock:
            write_frame(self._out, payload)
            if flush:
                self._out.flush()

    def _read_loop(self):
        kind = UNKNOWN_KIND
        try:
            while True:
                kind = UNKNOWN_KIND
                payload = read_frame(self._in)
                if payload is None:
                    return
                request = udf_pb2.Request()
                request.ParseFromString(payload)
                kind = request.WhichOneof("message") or UNKNOWN_KIND
                self._dispatch(kind, request)
        except Exception as err:
            logger.exception("error processing request of type %s", kind)
            self._send_error("error processing request of type {}: {}".format(kind, err))

    def _dispatch(self, kind, request):
        if kind == "keepalive":
            response = udf_pb2.Response()
            response.keepalive.time = request.keepalive.time
            self.write_response(response, flush=True)
        elif kind in MANAGEMENT_CALLS:
            self.write_response(MANAGEMENT_CALLS[kind](self.handler, request), flush=True)
        elif kind in DATA_CALLS:
            DATA_CALLS[kind](self.handler, request)
        else:
            logger.warning("received unhandled request %s", kind)

    def _send_error(self, text):
        response = udf_pb2.Response()
        response.error.error = text
        try:
            self.write_response(response)
        except Exception:
            logger.exception("could not send the error response")

    @staticmethod
    def _close(stream):
        try:
            stream.close()
        except Exception:
            logger.exception("could not close a stream of the agent")


class Server(object):
    """Accepts connections on a Unix socket and hands each to ``accepter`` on a thread.

    ``accepter.accept(conn, addr)`` gets the connection as an unbuffered read/write
    binary file, closed when the agent's ``wait()`` closes its streams; a
    typical accepter runs ``Agent(conn, conn)`` with a new handler, ``start()``, ``wait()``.
    """

    def __init__(self, socket_path, accepter):
        self._socket_path = socket_path
        self._accepter = accepter
        self._listener = None
        self._bound = False
        self._stopped = threading.Event()

    def serve(self):
        """Listens and accepts until ``stop()``; any other failure stops and re-raises."""
        try:
            self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._listener.bind(self._socket_path)
            self._bound = True
            self._listener.listen(5)
            while not self._stopped.is_set():
                conn, addr = self._listener.accept()
                threading.Thread(
                    target=self._handle, args=(conn, addr), name="udf-agent-conn", daemon=True
                ).start()
        except Exception:
            if self._stopped.is_set():
                return
            self.stop()
            raise

    def stop(self):
        """Stops listening and removes the socket file if this server made it."""
        self._stopped.set()
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
        if self._bound:
            self._bound = False
            try:
                os.remove(self._socket_path)
            except FileNotFoundError:
                pass

    def _handle(self, conn, addr):
        # Unbuffered, as ``python -u`` makes stdin and stdout: data written without a
        # flush is not held back. The framing loops over the short reads this gives.
        stream = conn.makefile("rwb", buffering=0)
        # The file keeps the connection open until the agent closes it.
        conn.close()
        try:
            self._accepter.accept(stream, addr)
        except Exception:
            logger.exception("udf connection failed")
            Agent._close(stream)
