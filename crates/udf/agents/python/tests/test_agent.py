"""The agent loop: dispatch, keepalives, management answers, errors, end of input."""

import json
import os
import threading
import unittest

from support import (
    AgentProcess,
    KeptBytesIO,
    TESTS_DIR,
    TIMEOUT,
    TrickleReader,
    frames_of,
    hex_bytes,
    parse_responses,
    run_agent,
    udf_pb2,
)
from echo_agent import EchoHandler
from kapacitor.udf.agent import Agent, Handler
from kapacitor.udf.framing import frame

ECHO_AGENT = os.path.join(TESTS_DIR, "echo_agent.py")
KEEPALIVE_42 = "04 1A 02 08 2A"


def base_handler(agent):
    return Handler()


class Capture(object):
    """A handler factory that remembers the handler it made."""

    def __init__(self, cls):
        self._cls = cls
        self.handler = None

    def __call__(self, agent):
        self.handler = self._cls(agent)
        return self.handler


class AgentInMemory(unittest.TestCase):
    def test_keepalive_is_echoed_with_the_same_time(self):
        responses, out = run_agent(base_handler, hex_bytes(KEEPALIVE_42))
        self.assertEqual(out.data(), hex_bytes(KEEPALIVE_42))
        self.assertTrue(out.closed_by_agent)

    def test_info_is_the_handlers_response(self):
        responses, out = run_agent(EchoHandler, hex_bytes("02 0A 00"))
        self.assertEqual(out.data(), frame(EchoHandler(None).info().SerializeToString()))
        self.assertEqual(list(responses[0].info.options["factor"].valueTypes), [udf_pb2.DOUBLE])

    def test_init_gets_the_spec_example_request(self):
        capture = Capture(EchoHandler)
        data = hex_bytes("16 12 14 0A 0C 0A 04 73 69 7A 65 12 04 08 01 18 0A 12 01 74 1A 01 6E")
        responses, out = run_agent(capture, data)
        self.assertEqual(out.data(), hex_bytes("04 12 02 08 01"))
        init = capture.handler.init_request
        self.assertEqual((init.taskID, init.nodeID), ("t", "n"))
        self.assertEqual(init.options[0].name, "size")
        self.assertEqual(init.options[0].values[0].intValue, 10)

    def test_missing_snapshot_is_an_error_response_that_ends_the_agent(self):
        with self.assertLogs("kapacitor.udf.agent", "ERROR"):
            responses, _ = run_agent(base_handler, hex_bytes("02 22 00" + KEEPALIVE_42))
        self.assertEqual(len(responses), 1, responses)
        self.assertEqual(
            responses[0].error.error,
            "error processing request of type snapshot: cannot write None response",
        )

    def test_missing_restore_and_info_are_error_responses(self):
        for request, kind in (("05 2A 03 0A 01 2A", "restore"), ("02 0A 00", "info")):
            with self.subTest(kind=kind):
                with self.assertLogs("kapacitor.udf.agent", "ERROR"):
                    responses, _ = run_agent(base_handler, hex_bytes(request))
                self.assertEqual(
                    [r.error.error for r in responses],
                    [
                        "error processing request of type {}: cannot write None response".format(
                            kind
                        )
                    ],
                )

    def test_handler_exceptions_become_error_responses_with_their_text(self):
        class KeyErrorHandler(Handler):
            def point(self, point):
                raise KeyError("hotend")

        point = udf_pb2.Request(point=udf_pb2.Point(name="temperatures"))
        data = frame(point.SerializeToString()) + hex_bytes(KEEPALIVE_42)
        with self.assertLogs("kapacitor.udf.agent", "ERROR") as logs:
            responses, out = run_agent(lambda agent: KeyErrorHandler(), data)
        self.assertEqual(
            [r.error.error for r in responses],
            ["error processing request of type point: 'hotend'"],
        )
        self.assertIn("KeyError: 'hotend'", logs.output[0])
        self.assertTrue(out.closed_by_agent)

    def test_a_request_that_does_not_parse_is_of_unknown_type(self):
        with self.assertLogs("kapacitor.udf.agent", "ERROR"):
            responses, _ = run_agent(base_handler, frame(b"\xff\xff\xff"))
        self.assertEqual(len(responses), 1)
        self.assertRegex(responses[0].error.error, "^error processing request of type unknown: ")

    def test_end_of_input_inside_a_payload_is_an_error(self):
        with self.assertLogs("kapacitor.udf.agent", "ERROR"):
            responses, _ = run_agent(base_handler, hex_bytes("05 0A 00"))
        self.assertEqual(
            [r.error.error for r in responses],
            ["error processing request of type unknown: unexpected EOF, expected 5 more bytes"],
        )

    def test_empty_and_unknown_requests_are_logged_and_skipped(self):
        # An empty frame, then a frame holding only an unknown field (number 99, varint 1).
        data = hex_bytes("00" + "03 98 06 01" + KEEPALIVE_42)
        with self.assertLogs("kapacitor.udf.agent", "WARNING") as logs:
            responses, out = run_agent(base_handler, data)
        self.assertEqual(out.data(), hex_bytes(KEEPALIVE_42))
        self.assertEqual(len(logs.output), 2)
        self.assertIn("received unhandled request unknown", logs.output[0])

    def test_one_byte_reads_give_the_same_answers(self):
        data = frames_of(
            [
                udf_pb2.Request(info=udf_pb2.InfoRequest()),
                udf_pb2.Request(keepalive=udf_pb2.KeepaliveRequest(time=7)),
                udf_pb2.Request(snapshot=udf_pb2.SnapshotRequest()),
            ]
        )
        out = KeptBytesIO()
        agent = Agent(TrickleReader(data), out)
        agent.handler = EchoHandler(agent)
        agent.start()
        agent.wait()
        kinds = [r.WhichOneof("message") for r in parse_responses(out.data())]
        self.assertEqual(kinds, ["info", "keepalive", "snapshot"])

    def test_write_response_is_thread_safe(self):
        out = KeptBytesIO()
        agent = Agent(KeptBytesIO(), out)

        def writer(n):
            for i in range(200):
                response = udf_pb2.Response()
                response.point.name = "w{}".format(n)
                response.point.fieldsInt["i"] = i
                response.point.tags["pad"] = "x" * (i % 50)
                agent.write_response(response)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        responses = parse_responses(out.data())
        self.assertEqual(len(responses), 1600)
        for n in range(8):
            seen = [r.point.fieldsInt["i"] for r in responses if r.point.name == "w{}".format(n)]
            self.assertEqual(seen, list(range(200)))

    def test_writing_none_is_refused(self):
        agent = Agent(KeptBytesIO(), KeptBytesIO())
        with self.assertRaisesRegex(TypeError, "cannot write None response"):
            agent.write_response(None)


class AgentOverPipes(unittest.TestCase):
    def setUp(self):
        self.agent = AgentProcess(ECHO_AGENT)
        self.addCleanup(self.agent.kill)

    def test_a_whole_session(self):
        agent = self.agent
        self.assertEqual(agent.ask(info=udf_pb2.InfoRequest()).WhichOneof("message"), "info")

        init = udf_pb2.InitRequest(taskID="task", nodeID="echo2")
        init.options.add(name="factor").values.add(type=udf_pb2.DOUBLE, doubleValue=2.0)
        self.assertTrue(agent.ask(init=init).init.success)
        self.assertEqual(agent.ask(keepalive=udf_pb2.KeepaliveRequest(time=7)).keepalive.time, 7)

        point = udf_pb2.Point(name="cpu", time=5, dimensions=["host"], byName=True)
        point.tags["host"] = "a"
        point.fieldsDouble["v"] = 1.5
        out = agent.ask(point=point).point
        self.assertEqual((out.name, out.time, list(out.dimensions)), ("cpu", 5, ["host"]))
        self.assertEqual(out.fieldsDouble["v"], 3.0)

        agent.send(begin=udf_pb2.BeginBatch(name="cpu", size=1))
        agent.send(point=udf_pb2.Point(time=6, fieldsDouble={"v": 2.0}))
        agent.send(end=udf_pb2.EndBatch(name="cpu", tmax=6))
        kinds = [agent.responses.next().WhichOneof("message") for _ in range(3)]
        self.assertEqual(kinds, ["begin", "point", "end"])

        snapshot = agent.ask(snapshot=udf_pb2.SnapshotRequest()).snapshot.snapshot
        self.assertEqual(json.loads(snapshot), {"count": 2, "factor": 2.0})
        state = json.dumps({"count": 10, "factor": 3.0}).encode()
        self.assertTrue(agent.ask(restore=udf_pb2.RestoreRequest(snapshot=state)).restore.success)
        out = agent.ask(point=udf_pb2.Point(name="cpu", fieldsDouble={"v": 1.0})).point
        self.assertEqual((out.fieldsDouble["v"], out.fieldsInt["count"]), (3.0, 11))

        rest, status = agent.close()
        self.assertEqual((rest, status), ([], 0))
        self.assertIn("echo agent finished", agent.stderr())
        self.assertNotIn("Exception ignored", agent.stderr())

    def test_a_refused_init_is_answered_and_the_agent_goes_on(self):
        init = udf_pb2.InitRequest()
        init.options.add(name="factor").values.add(type=udf_pb2.DOUBLE, doubleValue=0.0)
        response = self.agent.ask(init=init).init
        self.assertEqual((response.success, response.error), (False, "factor must not be 0"))
        self.assertEqual(
            self.agent.ask(keepalive=udf_pb2.KeepaliveRequest(time=1)).keepalive.time, 1
        )

    def test_a_handler_exception_ends_the_process_after_an_error_response(self):
        response = self.agent.ask(point=udf_pb2.Point(name="boom"))
        self.assertEqual(response.error.error, "error processing request of type point: boom point")
        self.assertIsNone(self.agent.responses.next())
        self.assertEqual(self.agent.proc.wait(timeout=TIMEOUT), 0)
        self.assertIn("ValueError: boom point", self.agent.stderr())


class BufferedAgentOverPipes(unittest.TestCase):
    def test_management_answers_flush_earlier_data(self):
        # Without -u, data stays buffered until a flushed answer pushes it out.
        agent = AgentProcess(ECHO_AGENT, unbuffered=False)
        self.addCleanup(agent.kill)
        agent.send(point=udf_pb2.Point(name="cpu", fieldsDouble={"v": 1.0}))
        agent.send(keepalive=udf_pb2.KeepaliveRequest(time=3))
        kinds = [agent.responses.next().WhichOneof("message") for _ in range(2)]
        self.assertEqual(kinds, ["point", "keepalive"])
        self.assertEqual(agent.close(), ([], 0))


if __name__ == "__main__":
    unittest.main()
