package io.nvfp4.examples.minilm;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

/**
 * A linear layer with a 4-bit weight (weight-only quantization): the fp32 weight is quantized once,
 * prepared by the backend, and every call is the backend's dequantize-matmul on fp32 activations.
 * This is how a Java inference stack runs a quantized checkpoint through the library.
 */
final class QuantizedLinear implements Linear {
    private final Backend backend;
    private final PreparedWeight weight;
    private final float[] bias;
    private final int in;
    private final int out;

    QuantizedLinear(BertWeights.Dense dense, Quantizer quantizer, Backend backend) {
        this(dense, backend.quantize(quantizer, FloatMatrix.of(dense.weight(), dense.out(), dense.in())), backend);
    }

    /** The layer with {@code quantized} (quantized elsewhere, by GPTQ for example) as its weight. */
    QuantizedLinear(BertWeights.Dense dense, QuantizedMatrix quantized, Backend backend) {
        this.backend = backend;
        this.in = dense.in();
        this.out = dense.out();
        this.bias = dense.bias().clone();
        this.weight = backend.prepare(quantized);
    }

    @Override
    public int inputs() {
        return in;
    }

    @Override
    public int outputs() {
        return out;
    }

    @Override
    public void apply(float[] x, int rows, float[] y) {
        backend.matmul(weight, FloatMatrix.of(x, rows, in), y);
        Linear.addBias(y, rows, bias);
    }

    /** Codes and block scales, plus the 4-byte tensor scale of formats that have one. */
    @Override
    public long weightBytes() {
        QuantizedMatrix q = weight.weight();
        return q.byteSize() + (q.format().hasTensorScale() ? 4 : 0);
    }

    @Override
    public void close() {
        weight.close();
    }
}
