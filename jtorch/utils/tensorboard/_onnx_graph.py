"""An ONNX file's graph as a TensorBoard GraphDef (needs the `onnx` package), as torch's."""

from __future__ import annotations

import itertools

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef


def load_onnx_graph(fname):
    try:
        import onnx
    except ImportError:
        raise ImportError("add_onnx_graph needs the `onnx` package: pip install onnx") from None
    return parse(onnx.load(fname).graph)


def parse(graph):
    """Inputs and outputs as `Variable` nodes, then one node per ONNX op, named after its
    first output (torch prints each name as it goes, and so does this)."""
    nodes = []
    for node in itertools.chain(graph.input, graph.output):
        print(node.name)
        shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=d.dim_value)
                                      for d in node.type.tensor_type.shape.dim])
        nodes.append(NodeDef(name=node.name.encode("utf_8"), op="Variable", input=[],
                             attr={"dtype": AttrValue(type=node.type.tensor_type.elem_type),
                                   "shape": AttrValue(shape=shape)}))
    for node in graph.node:
        parameters = ", ".join(" = ".join(str(f[1]) for f in a.ListFields())
                               for a in node.attribute)
        print(node.output[0])
        nodes.append(NodeDef(name=node.output[0].encode("utf_8"), op=node.op_type,
                             input=node.input,
                             attr={"parameters": AttrValue(s=parameters.encode("utf_8"))}))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
