package io.nvfp4.io.onnx;

/** Small ONNX models for tests outside this package. */
public final class TestModels {
    private TestModels() {}

    /** A valid ONNX model with one MatMul by a 2 x 2 float initializer: a model, but not a BERT encoder. */
    public static byte[] tinyMatMulModel() {
        return ProtoWriter.model(ProtoWriter.initializer(ProtoWriter.rawTensor("w", 1, ProtoWriter.floatsLe(1, 2, 3, 4), 2, 2)),
                ProtoWriter.node("MatMul", new String[] {"x", "w"}, "y"));
    }
}
