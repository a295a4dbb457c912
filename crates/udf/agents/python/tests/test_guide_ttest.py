"""The guide's ttest.py runs on this agent with only its Python 2 lines fixed.

guide_ttest.py is the script of ../shared/guide.md ("The Complete UDF script") with its
``print >> sys.stderr`` lines and its ``udf_pb2`` import made Python 3; it needs scipy.
"""

import difflib
import os
import random
import unittest

from support import (
    AgentProcess,
    REPO_ROOT,
    TESTS_DIR,
    batch_requests,
    frames_of,
    load_ttest_module,
    require_tool,
    ttest_init,
    udf_pb2,
)

GUIDE = os.path.join(REPO_ROOT, "..", "shared", "guide.md")
GUIDE_TTEST = os.path.join(TESTS_DIR, "guide_ttest.py")
# The only changes allowed against the guide: (its line, our line).
PYTHON3_FIXES = {
    ("import kapacitor.udf.udf_pb2", "from kapacitor.udf import udf_pb2"),
    (
        '    print >> sys.stderr, "Starting agent for TTestHandler"',
        '    print("Starting agent for TTestHandler", file=sys.stderr)',
    ),
    ('    print >> sys.stderr, "Agent finished"', '    print("Agent finished", file=sys.stderr)'),
}


def guide_script():
    """The code block after "The Complete UDF script" in the guide."""
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    block = text[text.index("### The Complete UDF script") :]
    block = block[block.index("```python\n") + len("```python\n") :]
    return block[: block.index("```")]


def windows(seed, count, mean=220.0, sigma=0.5, size=60):
    rng = random.Random(seed)
    return [[rng.gauss(mean, sigma) for _ in range(size)] for _ in range(count)]


class GuideScriptIsUnchanged(unittest.TestCase):
    def test_only_the_python_3_lines_differ_from_the_guide(self):
        if not os.path.exists(GUIDE):
            self.skipTest("the guide is not at {}".format(os.path.normpath(GUIDE)))
        with open(GUIDE_TTEST, encoding="utf-8") as f:
            ours = f.read().splitlines()
        theirs = guide_script().splitlines()
        matcher = difflib.SequenceMatcher(a=theirs, b=ours, autojunk=False)
        changes = set()
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            self.assertEqual((tag, i2 - i1, j2 - j1), ("replace", 1, 1), theirs[i1:i2])
            changes.add((theirs[i1], ours[j1]))
        self.assertEqual(changes, PYTHON3_FIXES)


class GuideScriptOverPipes(unittest.TestCase):
    def setUp(self):
        scipy_path = require_tool(self, "scipy", "scipy", "the guide's ttest.py imports it")
        self.agent = AgentProcess(GUIDE_TTEST, extra_paths=[scipy_path])
        self.addCleanup(self.agent.kill)

    def test_info_declares_the_guides_options(self):
        info = self.agent.ask(info=udf_pb2.InfoRequest()).info
        self.assertEqual((info.wants, info.provides), (udf_pb2.BATCH, udf_pb2.STREAM))
        options = {name: list(o.valueTypes) for name, o in info.options.items()}
        self.assertEqual(
            options,
            {"field": [udf_pb2.STRING], "size": [udf_pb2.INT], "alpha": [udf_pb2.DOUBLE]},
        )

    def test_windows_give_t_and_pvalue_points_and_an_anomaly_stands_out(self):
        self.assertTrue(self.agent.ask(init=ttest_init(size=600)).init.success)
        normal = windows(1, 4)
        anomaly = windows(2, 1, mean=218.5, sigma=3.0)[0]
        for i, values in enumerate(normal + [anomaly]):
            self.agent.send_bytes(frames_of(batch_requests(values, tmax=(i + 1) * 300)))
        points, status = self.agent.close()
        self.assertEqual(status, 0, self.agent.stderr())
        self.assertEqual(len(points), 4)
        self.assertEqual([p.point.time for p in points], [600, 900, 1200, 1500])
        self.assertTrue(all(p.point.name == "temperatures" for p in points))
        pvalues = [p.point.fieldsDouble["pvalue"] for p in points]
        self.assertTrue(all(p > 0.001 for p in pvalues[:3]), pvalues)
        self.assertLess(pvalues[3], 0.001)
        self.assertIn("Agent finished", self.agent.stderr())

        # scipy's numbers and those of tickscripts/udf/ttest.py agree.
        ttest = load_ttest_module()
        every = normal + [anomaly]
        for k, point in enumerate(points, start=1):
            history, window = ttest.MovingStats(600), ttest.MovingStats()
            for value in (v for w in every[:k] for v in w):
                history.update(value)
            for value in every[k]:
                window.update(value)
            t, pvalue = ttest.welch(history, window)
            self.assertAlmostEqual(point.point.fieldsDouble["t"], t, delta=1e-9)
            self.assertAlmostEqual(point.point.fieldsDouble["pvalue"], pvalue, delta=1e-9)

    def test_a_snapshot_request_stops_it_as_in_kapacitor(self):
        self.assertTrue(self.agent.ask(init=ttest_init()).init.success)
        response = self.agent.ask(snapshot=udf_pb2.SnapshotRequest())
        self.assertEqual(
            response.error.error,
            "error processing request of type snapshot: cannot write None response",
        )
        points, status = self.agent.close()
        self.assertEqual((points, status), ([], 0))


if __name__ == "__main__":
    unittest.main()
