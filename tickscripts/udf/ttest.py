#!/usr/bin/env python3
"""tTest as an external UDF: the Kapacitor guide's anomaly detector, in Python 3.

Options and output are those of the guide's ttest.py and of tickflow's built-in tTest:
``.field('hotend') .size(3600) .alpha(0.001)``. The UDF keeps a rolling history of the
last ``size`` values of ``field``; for each window (batch) it runs Welch's two-sided
t-test of the window against the history and emits one point at the window's end with
fields ``t`` and ``pvalue``, once there is history. A window's values join the history
only when its pvalue is above ``alpha``. Unlike the guide's script it keeps one history
per group (the batch's group id, from its BeginBatch: the guide's single history made one
group's anomaly every group's normal), implements snapshot/restore (the histories as JSON,
the built-in's format), keeps the batch's grouping on its output, gives pvalue 1 for two
equal constant samples (not NaN), and needs only the standard library and ``protobuf``:
the Student t distribution comes from a continued fraction, so its pvalues match the
built-in's. The protocol has no message for a deleted group, so a group's history stays
until the agent stops.

Run it as ``python3 -u tickscripts/udf/ttest.py``; it finds the repository's
``kapacitor`` package relative to itself.
"""

import collections
import json
import math
import os
import sys

AGENT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "crates",
    "udf",
    "agents",
    "python",
)
sys.path.insert(0, AGENT_DIR)

from kapacitor.udf import udf_pb2  # noqa: E402
from kapacitor.udf.agent import Agent, Handler  # noqa: E402

# Continued fraction tolerance and iteration cap of the regularized incomplete beta.
BETA_EPSILON = sys.float_info.epsilon
BETA_MAX_ITERATIONS = 10000
# Keeps the continued fraction's terms away from zero (Lentz's method).
TINY = 1e-300


def ieee_div(x, y):
    """``x / y`` with IEEE 754 results (inf, nan) where Python would raise."""
    if y != 0.0:
        return x / y
    if x == 0.0 or math.isnan(x):
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, y)


def ieee_sqrt(x):
    """The square root, nan for negative numbers as in IEEE 754."""
    return math.sqrt(x) if x >= 0.0 else math.nan


def beta_continued_fraction(a, b, x):
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) >= TINY else TINY)
    h = d
    for m in range(1, BETA_MAX_ITERATIONS + 1):
        m2 = 2.0 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) >= TINY else TINY)
            c = 1.0 + aa / c
            c = c if abs(c) >= TINY else TINY
            step = d * c
            h *= step
        if abs(step - 1.0) <= BETA_EPSILON:
            return h
    raise ArithmeticError(
        "incomplete beta did not converge for a={!r} b={!r} x={!r}".format(a, b, x)
    )


def regularized_beta(a, b, x, one_minus_x):
    """``I_x(a, b)``; ``one_minus_x`` is ``1 - x`` computed without cancellation."""
    if x <= 0.0:
        return 0.0
    if one_minus_x <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log(one_minus_x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * beta_continued_fraction(a, b, x) / a
    return 1.0 - front * beta_continued_fraction(b, a, one_minus_x) / b


def student_t_two_sided(t, df):
    """``P(|T| >= |t|)`` for Student's t with ``df`` degrees of freedom."""
    if math.isinf(df):
        return math.erfc(abs(t) / math.sqrt(2.0))
    t2 = t * t
    return regularized_beta(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))


class MovingStats(object):
    """Mean and variance of the last ``size`` values (all values when ``size`` is None).

    Welford's algorithm with removal, with the built-in's arithmetic step for step, so
    both give the same numbers.
    """

    def __init__(self, size=None):
        self.size = size
        self.window = collections.deque()
        self.mean = 0.0
        self._s = 0.0

    @property
    def n(self):
        """How many values are in the window."""
        return len(self.window)

    def variance(self):
        """The sample variance (0 for fewer than two values)."""
        if len(self.window) < 2:
            return 0.0
        return self._s / (len(self.window) - 1)

    def update(self, value):
        """Adds a value, dropping the oldest one when the window is full."""
        n = len(self.window) + 1.0
        diff = value - self.mean
        self.mean += diff / n
        self._s += diff * (value - self.mean)
        self.window.append(value)
        if self.size is not None and len(self.window) > self.size:
            old = self.window.popleft()
            old_mean = (n * self.mean - old) / (n - 1.0)
            self._s -= (old - self.mean) * (old - old_mean)
            self.mean = old_mean


def welch(a, b):
    """Welch's two-sided t-test of two ``MovingStats``: ``(t, pvalue)``.

    As scipy's ``ttest_ind_from_stats(..., equal_var=False)`` and the built-in compute it:
    undefined degrees of freedom (both variances zero) count as 1, two equal constant
    samples give ``(0, 1)``, an infinite t gives pvalue 0 and an undefined t gives nan.
    """
    n1, n2 = float(a.n), float(b.n)
    vn1 = a.variance() / n1
    vn2 = b.variance() / n2
    df = ieee_div(
        (vn1 + vn2) * (vn1 + vn2), ieee_div(vn1 * vn1, n1 - 1.0) + ieee_div(vn2 * vn2, n2 - 1.0)
    )
    if math.isnan(df):
        df = 1.0
    if vn1 + vn2 == 0.0 and a.mean == b.mean:
        # Two constant samples of one value: no evidence of a difference (scipy: nan).
        return 0.0, 1.0
    t = ieee_div(a.mean - b.mean, ieee_sqrt(vn1 + vn2))
    if math.isinf(t):
        return t, 0.0
    if math.isnan(t) or df <= 0.0:
        return t, math.nan
    return t, student_t_two_sided(t, df)


class TTestHandler(Handler):
    """Welch's t-test of each window against a rolling history of normal values."""

    def __init__(self, agent):
        self._agent = agent
        self._field = ""
        self._alpha = 0.0
        self._size = None
        # The history of each group, by group id.
        self._histories = {}
        self._window = None
        self._group = ""
        self._by_name = False

    def info(self):
        response = udf_pb2.Response()
        response.info.wants = udf_pb2.BATCH
        response.info.provides = udf_pb2.STREAM
        response.info.options["field"].valueTypes.append(udf_pb2.STRING)
        response.info.options["size"].valueTypes.append(udf_pb2.INT)
        response.info.options["alpha"].valueTypes.append(udf_pb2.DOUBLE)
        return response

    def init(self, init_req):
        response = udf_pb2.Response()
        try:
            self._configure(init_req.options)
        except ValueError as err:
            response.init.success = False
            response.init.error = str(err)
            return response
        response.init.success = True
        return response

    def _configure(self, options):
        field, size, alpha = "", 0, 0.0
        for opt in options:
            if opt.name == "field" and len(opt.values) == 1:
                field = opt.values[0].stringValue
            elif opt.name == "size" and len(opt.values) == 1:
                size = opt.values[0].intValue
            elif opt.name == "alpha" and len(opt.values) == 1:
                alpha = opt.values[0].doubleValue
            else:
                raise ValueError("unexpected option {}".format(json.dumps(opt.name)))
        problems = []
        if size <= 1:
            problems.append("must supply window size > 1")
        if field == "":
            problems.append("must supply a field name")
        if alpha == 0.0:
            problems.append("must supply an alpha value")
        if problems:
            raise ValueError(" ".join(problems))
        self._field, self._alpha, self._size = field, alpha, size

    def snapshot(self):
        groups = {
            group: {self._field: {"history": list(history.window), "pending": [], "anomalous": 0}}
            for group, history in sorted(self._histories.items())
        }
        response = udf_pb2.Response()
        response.snapshot.snapshot = json.dumps({"groups": groups}).encode("utf-8")
        return response

    def restore(self, restore_req):
        response = udf_pb2.Response()
        try:
            self._histories = self._restored_histories(restore_req.snapshot)
        except ValueError as err:
            response.restore.success = False
            response.restore.error = str(err)
            return response
        response.restore.success = True
        return response

    def _restored_histories(self, snapshot):
        if self._size is None:
            raise ValueError("tTest cannot restore a snapshot before init")
        try:
            state = json.loads(snapshot.decode("utf-8"))
        except ValueError as err:  # bad UTF-8 or bad JSON
            raise ValueError("tTest snapshot is not JSON: {}".format(err))
        groups = state.get("groups") if isinstance(state, dict) else None
        if not isinstance(groups, dict):
            raise ValueError("tTest snapshot has no groups: {!r}".format(state))
        histories = {}
        for group, fields in groups.items():
            saved = fields.get(self._field) if isinstance(fields, dict) else None
            values = saved.get("history") if isinstance(saved, dict) else None
            if not isinstance(values, list):
                raise ValueError("tTest snapshot has a bad field state: {!r}".format(fields))
            history = MovingStats(self._size)
            for value in values:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError("tTest snapshot holds a non-number: {!r}".format(value))
                history.update(float(value))
            histories[group] = history
        return histories

    def begin_batch(self, begin_req):
        self._window = MovingStats()
        self._group = begin_req.group
        self._by_name = begin_req.byName

    def point(self, point):
        if self._window is None:
            raise ValueError("tTest wants batches, got a point outside a batch")
        if self._field in point.fieldsDouble:
            self._window.update(point.fieldsDouble[self._field])
            return
        for type_name, fields in (
            ("int", point.fieldsInt),
            ("string", point.fieldsString),
            ("bool", point.fieldsBool),
        ):
            if self._field in fields:
                raise ValueError(
                    "field {} is a {}, tTest needs a float".format(
                        json.dumps(self._field), type_name
                    )
                )

    def end_batch(self, end_req):
        window, self._window = self._window, None
        if window is None or window.n == 0:
            return
        history = self._histories.setdefault(self._group, MovingStats(self._size))
        pvalue = 1.0
        if history.n != 0:
            t, pvalue = welch(history, window)
            self._agent.write_response(self._result(end_req, t, pvalue), flush=True)
        if pvalue > self._alpha:
            for value in window.window:
                history.update(value)

    def _result(self, end_req, t, pvalue):
        """The output point: the window's name, tags and group at its end time."""
        response = udf_pb2.Response()
        point = response.point
        point.time = end_req.tmax
        point.name = end_req.name
        point.group = end_req.group
        point.tags.update(end_req.tags)
        # Kapacitor groups a stream point by its dimensions; a batch's are its tag keys.
        point.dimensions.extend(sorted(end_req.tags))
        point.byName = self._by_name
        point.fieldsDouble["t"] = t
        point.fieldsDouble["pvalue"] = pvalue
        return response


def main():
    agent = Agent()
    agent.handler = TTestHandler(agent)
    print("Starting agent for TTestHandler", file=sys.stderr)
    agent.start()
    agent.wait()
    print("Agent finished", file=sys.stderr)


if __name__ == "__main__":
    main()
