package io.nvfp4.io.onnx;

import java.util.List;

/**
 * A node of an ONNX graph, as far as weight loading needs it: which operator it runs and which values
 * (graph inputs, initializers, other nodes' outputs) it reads and writes. Attributes are not read.
 *
 * @param name    the node's name, possibly empty
 * @param opType  the operator, such as {@code MatMul}
 * @param domain  the operator set's domain; empty for the standard ONNX operators
 * @param inputs  the names of the values it reads, in order (an empty name is an omitted optional input)
 * @param outputs the names of the values it writes, in order
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs) {
    /** Copies the lists. */
    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
