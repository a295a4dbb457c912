"""A test UDF: scales every double field by ``factor`` and counts the points it saw.

Points (on a stream or inside a batch) come back scaled; ``begin`` and ``end`` come back
as they are; a point named ``boom`` raises. Snapshots hold the count and the factor as
JSON. Run as a script, it speaks the protocol on stdin/stdout.
"""

import json
import sys

from kapacitor.udf import udf_pb2
from kapacitor.udf.agent import Agent, Handler


class EchoHandler(Handler):
    def __init__(self, agent):
        self._agent = agent
        self.factor = 1.0
        self.count = 0
        self.init_request = None

    def info(self):
        response = udf_pb2.Response()
        response.info.wants = udf_pb2.STREAM
        response.info.provides = udf_pb2.STREAM
        response.info.options["factor"].valueTypes.append(udf_pb2.DOUBLE)
        return response

    def init(self, init_req):
        self.init_request = init_req
        for opt in init_req.options:
            if opt.name == "factor":
                self.factor = opt.values[0].doubleValue
        response = udf_pb2.Response()
        response.init.success = self.factor != 0.0
        if not response.init.success:
            response.init.error = "factor must not be 0"
        return response

    def snapshot(self):
        response = udf_pb2.Response()
        state = {"count": self.count, "factor": self.factor}
        response.snapshot.snapshot = json.dumps(state).encode()
        return response

    def restore(self, restore_req):
        state = json.loads(restore_req.snapshot.decode())
        self.count, self.factor = state["count"], state["factor"]
        response = udf_pb2.Response()
        response.restore.success = True
        return response

    def begin_batch(self, begin_req):
        self._agent.write_response(udf_pb2.Response(begin=begin_req))

    def point(self, point):
        if point.name == "boom":
            raise ValueError("boom point")
        self.count += 1
        response = udf_pb2.Response()
        response.point.CopyFrom(point)
        for key in point.fieldsDouble:
            response.point.fieldsDouble[key] = point.fieldsDouble[key] * self.factor
        response.point.fieldsInt["count"] = self.count
        self._agent.write_response(response)

    def end_batch(self, end_req):
        self._agent.write_response(udf_pb2.Response(end=end_req), flush=True)


if __name__ == "__main__":
    agent = Agent()
    agent.handler = EchoHandler(agent)
    agent.start()
    agent.wait()
    print("echo agent finished", file=sys.stderr)
