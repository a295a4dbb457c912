"""UDF agents: ``from kapacitor.udf.agent import Agent, Handler`` and
``from kapacitor.udf import udf_pb2``, as with Kapacitor's own Python agent.

``udf_pb2`` is generated from ``crates/udf/proto/udf.proto`` by ``regen_udf_pb2.py``.
"""
