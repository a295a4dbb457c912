"""tickscripts/udf/ttest.py: its statistics, its protocol behaviour, and agreement with
the built-in tTest (reference values printed by crates/udf/src/native/ttest.rs)."""

import json
import math
import os
import tempfile
import unittest

from support import (
    AgentProcess,
    TESTS_DIR,
    TTEST_SCRIPT,
    batch_requests,
    frames_of,
    load_ttest_module,
    request_frame,
    run_agent,
    ttest_init,
    udf_pb2,
)

ttest = load_ttest_module()

with open(os.path.join(TESTS_DIR, "data", "ttest_reference.json"), encoding="utf-8") as f:
    REFERENCE = json.load(f)

# The acceptance bound between this script's pvalues and the built-in's.
AGREEMENT = 1e-9


def stats(values, size=None):
    moving = ttest.MovingStats(size)
    for value in values:
        moving.update(value)
    return moving


def reference_init():
    return ttest_init(REFERENCE["field"], REFERENCE["size"], REFERENCE["alpha"])


def window_frames(windows, first_index=0):
    return b"".join(
        frames_of(
            batch_requests(values, field=REFERENCE["field"], tmax=(first_index + i + 1) * 1000)
        )
        for i, values in enumerate(windows)
    )


def run_ttest(data):
    return run_agent(ttest.TTestHandler, data)[0]


def points_by_time(responses):
    return {r.point.time: r.point for r in responses if r.WhichOneof("message") == "point"}


class StudentT(unittest.TestCase):
    def test_agrees_with_statrs(self):
        for t, df, expected in REFERENCE["student_t"]:
            with self.subTest(t=t, df=df):
                self.assertAlmostEqual(ttest.student_t_two_sided(t, df), expected, delta=1e-10)
                self.assertLess(abs(ttest.student_t_two_sided(t, df) / expected - 1.0), 1e-9)

    def test_known_values(self):
        # Table values: t(0.975, 10) = 2.228138851986..., t(0.975, inf) = 1.959963984540...
        self.assertAlmostEqual(
            ttest.student_t_two_sided(2.2281388519862735, 10.0), 0.05, delta=1e-12
        )
        self.assertAlmostEqual(
            ttest.student_t_two_sided(1.959963984540054, math.inf), 0.05, delta=1e-15
        )
        # Cauchy: P(|T| >= 1) = 1/2; df = 2: P(|T| >= t) = 1 - t / sqrt(2 + t^2).
        self.assertAlmostEqual(ttest.student_t_two_sided(1.0, 1.0), 0.5, delta=1e-14)
        for t in (0.1, 1.0, 3.0, 30.0):
            self.assertAlmostEqual(
                ttest.student_t_two_sided(t, 2.0), 1.0 - t / math.sqrt(2.0 + t * t), delta=1e-13
            )
        self.assertEqual(ttest.student_t_two_sided(0.0, 5.0), 1.0)

    def test_regularized_beta_closed_forms(self):
        for a in (0.5, 2.0, 7.5, 300.0):
            for x in (0.01, 0.3, 0.5, 0.9, 0.999):
                with self.subTest(a=a, x=x):
                    self.assertAlmostEqual(
                        ttest.regularized_beta(a, 1.0, x, 1.0 - x), x**a, delta=1e-13
                    )
                    self.assertAlmostEqual(
                        ttest.regularized_beta(1.0, a, x, 1.0 - x),
                        1.0 - (1.0 - x) ** a,
                        delta=1e-13,
                    )


class Welch(unittest.TestCase):
    def test_matches_scipy(self):
        # scipy.stats.ttest_ind([1,2,3,4,5], [2,4,6,8,10], equal_var=False)
        t, p = ttest.welch(stats([1.0, 2.0, 3.0, 4.0, 5.0]), stats([2.0, 4.0, 6.0, 8.0, 10.0]))
        self.assertAlmostEqual(t, -1.8973665961010275, delta=1e-12)
        self.assertAlmostEqual(p, 0.10753119493062728, delta=1e-12)

    def test_degenerate_samples_as_the_built_in(self):
        self.assertEqual(ttest.welch(stats([1.0, 1.0]), stats([1.0, 1.0])), (0.0, 1.0))
        self.assertEqual(ttest.welch(stats([1.0, 1.0]), stats([2.0, 2.0])), (-math.inf, 0.0))
        # One value: its variance is 0 and the degrees of freedom fall back to 1.
        t, p = ttest.welch(stats([1.0, 2.0]), stats([3.0]))
        self.assertEqual(t, -3.0)
        self.assertAlmostEqual(p, 1.0 - 2.0 / math.pi * math.atan(3.0), delta=1e-14)

    def test_moving_stats_slide(self):
        values = [((i * 37) % 11) + 0.5 * i for i in range(50)]
        moving = stats(values, size=10)
        window = values[40:]
        mean = sum(window) / 10
        self.assertEqual(moving.n, 10)
        self.assertAlmostEqual(moving.mean, mean, delta=1e-9)
        self.assertAlmostEqual(
            moving.variance(), sum((v - mean) ** 2 for v in window) / 9, delta=1e-9
        )


class AgreesWithTheBuiltIn(unittest.TestCase):
    def assert_matches_reference(self, points, first_index=0):
        for i, expected in enumerate(REFERENCE["expected"][first_index:], start=first_index):
            point = points.get((i + 1) * 1000)
            with self.subTest(window=i):
                if expected is None:
                    self.assertIsNone(point)
                    continue
                self.assertAlmostEqual(point.fieldsDouble["t"], expected[0], delta=AGREEMENT)
                self.assertAlmostEqual(point.fieldsDouble["pvalue"], expected[1], delta=AGREEMENT)

    def test_every_window_matches_the_built_in(self):
        data = request_frame(init=reference_init()) + window_frames(REFERENCE["windows"])
        data += request_frame(snapshot=udf_pb2.SnapshotRequest())
        responses = run_ttest(data)
        self.assertTrue(responses[0].init.success)
        points = points_by_time(responses)
        self.assertEqual(len(points), sum(1 for e in REFERENCE["expected"] if e is not None))
        self.assert_matches_reference(points)
        snapshot = json.loads(responses[-1].snapshot.snapshot)
        history = snapshot["groups"][""][REFERENCE["field"]]["history"]
        self.assertEqual(len(history), REFERENCE["history_len"])

    def test_each_group_has_its_own_history(self):
        def window(values, tmax, group):
            return frames_of(batch_requests(values, field="hotend", tmax=tmax, group=group))

        normal = [220.1, 219.9, 220.2, 219.8, 220.0, 220.1, 219.9, 220.0]
        hotter = [v - 15.0 for v in normal]
        responses = run_ttest(
            request_frame(init=ttest_init(size=100))
            + window(normal, 1000, "printer=p1")
            + window(hotter, 1000, "printer=p2")
            + window(hotter, 2000, "printer=p2")
            + request_frame(snapshot=udf_pb2.SnapshotRequest())
        )
        points = [r.point for r in responses if r.WhichOneof("message") == "point"]
        self.assertEqual(len(points), 1, "each group's first window only fills its history")
        self.assertEqual(points[0].group, "printer=p2")
        self.assertGreater(points[0].fieldsDouble["pvalue"], 0.5)
        snapshot = json.loads(responses[-1].snapshot.snapshot)
        self.assertEqual(sorted(snapshot["groups"]), ["printer=p1", "printer=p2"])
        self.assertEqual(len(snapshot["groups"]["printer=p2"]["hotend"]["history"]), 16)

    def test_a_restored_snapshot_carries_on_as_if_uninterrupted(self):
        cut = 35
        first = run_ttest(
            request_frame(init=reference_init())
            + window_frames(REFERENCE["windows"][:cut])
            + request_frame(snapshot=udf_pb2.SnapshotRequest())
        )
        snapshot = first[-1].snapshot.snapshot
        second = run_ttest(
            request_frame(init=reference_init())
            + request_frame(restore=udf_pb2.RestoreRequest(snapshot=snapshot))
            + window_frames(REFERENCE["windows"][cut:], first_index=cut)
        )
        self.assertTrue(second[1].restore.success)
        self.assert_matches_reference(points_by_time(second), first_index=cut)


class Protocol(unittest.TestCase):
    def test_info_is_the_guides(self):
        info = run_ttest(request_frame(info=udf_pb2.InfoRequest()))[0].info
        self.assertEqual((info.wants, info.provides), (udf_pb2.BATCH, udf_pb2.STREAM))
        options = {name: list(o.valueTypes) for name, o in info.options.items()}
        self.assertEqual(
            options, {"field": [udf_pb2.STRING], "size": [udf_pb2.INT], "alpha": [udf_pb2.DOUBLE]}
        )

    def test_bad_options_are_refused_with_the_built_ins_message(self):
        response = run_ttest(request_frame(init=ttest_init("", 1, 0.0)))[0].init
        self.assertFalse(response.success)
        self.assertEqual(
            response.error,
            "must supply window size > 1 must supply a field name must supply an alpha value",
        )
        init = ttest_init()
        init.options.add(name="scale")
        response = run_ttest(request_frame(init=init))[0].init
        self.assertEqual((response.success, response.error), (False, 'unexpected option "scale"'))

    def test_the_output_point_keeps_the_windows_name_tags_and_grouping(self):
        tags = {"printer": "p1", "room": "lab"}
        requests = batch_requests([1.0, 2.0, 3.0], tmax=10, tags=tags)
        requests += batch_requests([2.0, 3.0, 4.0], tmax=20, tags=tags)
        for request in requests:
            if request.WhichOneof("message") in ("begin", "end"):
                getattr(request, request.WhichOneof("message")).group = "printer=p1,room=lab"
        requests[0].begin.byName = True
        requests[5].begin.byName = True
        responses = run_ttest(request_frame(init=ttest_init(size=10)) + frames_of(requests))
        point = responses[1].point
        self.assertEqual(
            (point.name, point.time, point.group), ("temperatures", 20, "printer=p1,room=lab")
        )
        self.assertEqual(dict(point.tags), tags)
        self.assertEqual(list(point.dimensions), ["printer", "room"])
        self.assertTrue(point.byName)
        self.assertEqual(sorted(point.fieldsDouble), ["pvalue", "t"])

    def test_a_bad_snapshot_is_refused_and_the_agent_goes_on(self):
        responses = run_ttest(
            request_frame(init=ttest_init())
            + request_frame(
                restore=udf_pb2.RestoreRequest(
                    snapshot=b'{"groups": {"": {"hotend": {"history": ["x"]}}}}'
                )
            )
            + request_frame(restore=udf_pb2.RestoreRequest(snapshot=b"\xff"))
            + request_frame(restore=udf_pb2.RestoreRequest(snapshot=b"[1, 2]"))
            + request_frame(keepalive=udf_pb2.KeepaliveRequest(time=5))
        )
        self.assertEqual(
            [(r.restore.success, r.restore.error) for r in responses[1:4]],
            [
                (False, "tTest snapshot holds a non-number: 'x'"),
                (
                    False,
                    "tTest snapshot is not JSON: 'utf-8' codec can't decode byte 0xff "
                    "in position 0: invalid start byte",
                ),
                (False, "tTest snapshot has no groups: [1, 2]"),
            ],
        )
        self.assertEqual(responses[4].keepalive.time, 5)

    def test_a_restore_before_init_is_refused(self):
        response = run_ttest(request_frame(restore=udf_pb2.RestoreRequest(snapshot=b"{}")))[0]
        self.assertEqual(
            (response.restore.success, response.restore.error),
            (False, "tTest cannot restore a snapshot before init"),
        )

    def test_a_non_float_field_is_an_error(self):
        requests = batch_requests([1.0])
        requests[1].point.fieldsDouble.clear()
        requests[1].point.fieldsInt["hotend"] = 220
        with self.assertLogs("kapacitor.udf.agent", "ERROR"):
            responses = run_ttest(request_frame(init=ttest_init()) + frames_of(requests))
        self.assertEqual(
            responses[-1].error.error,
            'error processing request of type point: field "hotend" is a int, tTest needs a float',
        )


class RunsAsAScript(unittest.TestCase):
    def test_python3_ttest_py_finds_its_agent_from_anywhere(self):
        with tempfile.TemporaryDirectory() as elsewhere:
            agent = AgentProcess(TTEST_SCRIPT, agent_on_path=False, cwd=elsewhere)
            self.addCleanup(agent.kill)
            self.assertTrue(agent.ask(init=reference_init()).init.success)
            agent.send_bytes(window_frames(REFERENCE["windows"][:3]))
            points, status = agent.close()
        self.assertEqual(status, 0, agent.stderr())
        self.assertEqual([p.point.time for p in points], [2000, 3000])
        for point, expected in zip(points, REFERENCE["expected"][1:3]):
            self.assertAlmostEqual(point.point.fieldsDouble["pvalue"], expected[1], delta=AGREEMENT)
        self.assertIn("Agent finished", agent.stderr())


if __name__ == "__main__":
    unittest.main()
