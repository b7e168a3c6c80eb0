package io.nvfp4.examples.minilm;

import io.nvfp4.backend.Backend;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

/**
 * A linear layer with NVFP4 weights and NVFP4 activations (W4A4), emulated exactly: the activations
 * are quantized as a Blackwell kernel quantizes them on the fly (a block scale per 16 values, from
 * the block's own maximum, and a fixed tensor scale from the amax calibrated on sample sentences;
 * values beyond it saturate), dequantized, and multiplied by the dequantized weight in fp32.
 *
 * <p>Why that is the tensor core's arithmetic: an E2M1 x E2M1 product is exact in a few bits, and
 * the block scales multiply it exactly too, so the only rounding a W4A4 GEMM adds to these 4-bit
 * values is in the fp32 accumulation. Dequantizing both operands and summing their products in fp32
 * is the same computation up to the order of that accumulation.
 *
 * <p>That order still shows: an fp32 difference of one ulp in a layer's output can move an activation
 * across a rounding boundary of the next layer's quantizer, and such flips cascade through the
 * encoder. Two equally correct W4A4 runs whose matmuls sum in different orders (two backends, say)
 * give sentence embeddings about 0.01 apart in cosine distance, with the same accuracy against fp32.
 */
final class W4A4Linear implements Linear {
    private final QuantizedLinear weight;
    private final Quantizer activations;
    private final Backend backend;

    /**
     * @param calibratedAmax the largest |x| this layer's input reached on the calibration sentences
     */
    W4A4Linear(BertWeights.Dense dense, Quantizer weights, Quantizer activations, float calibratedAmax, Backend backend) {
        this.weight = new QuantizedLinear(dense, weights, backend);
        this.activations = activations.withTensorAmax(calibratedAmax);
        this.backend = backend;
    }

    @Override
    public int inputs() {
        return weight.inputs();
    }

    @Override
    public int outputs() {
        return weight.outputs();
    }

    @Override
    public void apply(float[] x, int rows, float[] y) {
        int in = weight.inputs();
        QuantizedMatrix q = backend.quantize(activations, FloatMatrix.of(x, rows, in));
        float[] restored = new float[rows * in];
        float[] row = new float[in];
        for (int r = 0; r < rows; r++) {
            backend.dequantizeRow(q, r, row);
            System.arraycopy(row, 0, restored, r * in, in);
        }
        weight.apply(restored, rows, y);
    }

    @Override
    public long weightBytes() {
        return weight.weightBytes();
    }

    @Override
    public void close() {
        weight.close();
    }
}
