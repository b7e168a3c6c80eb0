package io.nvfp4.examples.minilm;

import io.nvfp4.backend.ComputePool;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The model and the reference embeddings, loaded once for all test classes of the run (loading and
 * running ONNX Runtime take seconds), and the quantized modes' arithmetic written out plainly.
 */
final class TestModel {
    private static MiniLm model;
    private static float[][] reference;

    private TestModel() {}

    static synchronized MiniLm model() {
        if (model == null) {
            try {
                model = MiniLm.load();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    /** ONNX Runtime fp32 on the evaluation sentences, batch 32. */
    static synchronized float[][] reference() {
        if (reference == null) {
            try (OrtEmbedder ort = model().ortFp32()) {
                reference = ort.embed(DemoSentences.evaluationTexts(), 32);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }

    /**
     * {@code mode} as its definition reads: every weight quantized and dequantized once, activations
     * (W4A4) quantized and dequantized at each layer, and the products summed in fp32 by the plain
     * {@link DenseLinear}. The backend path must give the same embeddings, up to summation order.
     */
    static SentenceEmbedder emulated(WeightMode mode) {
        MiniLm m = model();
        Map<String, Float> amax = mode.quantizesActivations() ? m.calibration() : Map.of();
        BertEncoder encoder = new BertEncoder(m.weights(), d -> emulatedLinear(mode, d, amax.getOrDefault(d.name(), 0f)),
                ComputePool.shared());
        return new SentenceEmbedder(mode, m.tokenizer(), encoder);
    }

    /** One layer of {@link #emulated}; {@code amax} is its calibrated input amax (W4A4 only). */
    static Linear emulatedLinear(WeightMode mode, BertWeights.Dense d, float amax) {
        BertWeights.Dense w = mode.weights() == null ? d : new BertWeights.Dense(d.name(),
                Dequantizer.dequantize(mode.weights().quantize(FloatMatrix.of(d.weight(), d.out(), d.in()))),
                d.bias(), d.in(), d.out());
        DenseLinear dense = new DenseLinear(w, ComputePool.shared());
        if (!mode.quantizesActivations()) {
            return dense;
        }
        Quantizer activations = mode.activations().withTensorAmax(amax);
        return new Linear() {
            @Override
            public int inputs() {
                return d.in();
            }

            @Override
            public int outputs() {
                return d.out();
            }

            @Override
            public void apply(float[] x, int rows, float[] y) {
                dense.apply(Dequantizer.dequantize(activations.quantize(FloatMatrix.of(x, rows, d.in()))), rows, y);
            }

            @Override
            public long weightBytes() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
    }

    static List<String> texts() {
        return DemoSentences.evaluationTexts();
    }
}
