"""Socket UDFs: Server runs one independent agent per Unix socket connection."""

import os
import socket
import tempfile
import threading
import time
import unittest

from support import TIMEOUT, ResponseReader, request_frame, udf_pb2
from echo_agent import EchoHandler
from kapacitor.udf.agent import Agent, Server


class EchoAccepter(object):
    def accept(self, conn, addr):
        agent = Agent(conn, conn)
        agent.handler = EchoHandler(agent)
        agent.start()
        agent.wait()


class Client(object):
    """One connection, as Kapacitor makes it for a UDF node."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")
        self.responses = ResponseReader(self.file)

    def ask(self, **kwargs):
        self.sock.sendall(request_frame(**kwargs))
        return self.responses.next()

    def half_close(self):
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        # Wakes the reader thread before closing the file it reads.
        self.sock.shutdown(socket.SHUT_RDWR)
        self.file.close()
        self.sock.close()


def factor_init(factor):
    init = udf_pb2.InitRequest()
    init.options.add(name="factor").values.add(type=udf_pb2.DOUBLE, doubleValue=factor)
    return init


class SocketServer(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "echo.sock")
        self.server = Server(self.path, EchoAccepter())
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(self.path):
            self.assertLess(time.monotonic(), deadline, "the server did not listen")
            time.sleep(0.01)

    def tearDown(self):
        self.server.stop()
        self.thread.join(TIMEOUT)

    def client(self):
        client = Client(self.path)
        self.addCleanup(client.close)
        return client

    def test_each_connection_has_its_own_agent(self):
        a, b = self.client(), self.client()
        self.assertTrue(a.ask(init=factor_init(2.0)).init.success)
        self.assertTrue(b.ask(init=factor_init(3.0)).init.success)
        point = udf_pb2.Point(name="cpu", fieldsDouble={"v": 1.0})
        self.assertEqual(a.ask(point=point).point.fieldsDouble["v"], 2.0)
        self.assertEqual(b.ask(point=point).point.fieldsDouble["v"], 3.0)
        self.assertEqual(a.ask(point=point).point.fieldsInt["count"], 2)

    def test_a_half_close_ends_the_agent_and_closes_the_connection(self):
        client = self.client()
        self.assertEqual(client.ask(keepalive=udf_pb2.KeepaliveRequest(time=9)).keepalive.time, 9)
        client.half_close()
        self.assertIsNone(client.responses.next())

    def test_stop_ends_serve_and_removes_the_socket(self):
        self.server.stop()
        self.thread.join(TIMEOUT)
        self.assertFalse(self.thread.is_alive())
        self.assertFalse(os.path.exists(self.path))


class SocketServerFailures(unittest.TestCase):
    def test_a_path_it_cannot_bind_is_an_error_and_is_left_alone(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "taken")
            with open(path, "w") as f:
                f.write("not a socket")
            with self.assertRaises(OSError):
                Server(path, EchoAccepter()).serve()
            self.assertTrue(os.path.exists(path))


if __name__ == "__main__":
    unittest.main()
