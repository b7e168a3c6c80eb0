package io.nvfp4.examples.minilm;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.quantize.Gptq;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What calibration learns from running the fp32 model on sample sentences (not the evaluation
 * sentences), per linear layer:
 * <ul>
 * <li>the largest |x| its input reached: max calibration of activation tensor scales, as modelopt's
 *     default for NVFP4 activations does it (a W4A4 layer derives its fixed activation tensor scale from
 *     it; block scales stay dynamic);</li>
 * <li>the Gram matrix X<sup>T</sup>X of its inputs, which GPTQ rounds the weights against
 *     ({@link Gptq.Hessian}); here with the layers before it already quantized.</li>
 * </ul>
 */
final class Calibration {
    private Calibration() {}

    /** The input amax of every linear layer, by layer name, over {@code encodings}. */
    static Map<String, Float> amax(BertWeights weights, List<Encoding> encodings, ComputePool pool) {
        Map<String, Float> amax = new ConcurrentHashMap<>();
        record(weights, encodings, pool, (dense, x, rows) -> {
            float max = 0;
            for (int i = 0; i < rows * dense.in(); i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            amax.merge(dense.name(), max, Math::max);
        });
        return Map.copyOf(amax);
    }

    /**
     * Every linear layer's weight quantized by {@code gptq}, one transformer layer at a time as the GPTQ
     * reference runs it: a layer's Gram matrices come from inputs computed with the layers before it
     * already quantized (on {@code backend}), so each layer rounds against the inputs it will really see.
     */
    static Map<String, QuantizedMatrix> gptq(BertWeights weights, List<Encoding> encodings, Gptq gptq, Backend backend,
                                             ComputePool pool) {
        Map<String, QuantizedMatrix> quantized = new HashMap<>();
        for (BertWeights.Layer layer : weights.layers()) {
            // Query, key and value read the same input: one Gram matrix serves the three.
            Map<String, String> inputOf = Map.of(layer.query().name(), layer.query().name(),
                    layer.key().name(), layer.query().name(), layer.value().name(), layer.query().name(),
                    layer.attentionOutput().name(), layer.attentionOutput().name(),
                    layer.intermediate().name(), layer.intermediate().name(), layer.output().name(), layer.output().name());
            Map<String, Gptq.Hessian> hessians = new ConcurrentHashMap<>();
            Listener listener = (dense, x, rows) -> {
                if (dense.name().equals(inputOf.get(dense.name()))) {
                    hessians.computeIfAbsent(dense.name(), name -> new Gptq.Hessian(dense.in()))
                            .accumulate(FloatMatrix.of(x.length == rows * dense.in() ? x
                                    : Arrays.copyOf(x, rows * dense.in()), rows, dense.in()));
                }
            };
            Function<BertWeights.Dense, Linear> linears = d -> quantized.containsKey(d.name())
                    ? new QuantizedLinear(d, quantized.get(d.name()), backend)
                    : new Recording(d, new DenseLinear(d, pool), listener);
            try (BertEncoder encoder = new BertEncoder(weights, linears, pool)) {
                encoder.embed(encodings);
            }
            for (BertWeights.Dense d : layer.linears()) {
                quantized.put(d.name(), gptq.quantize(FloatMatrix.of(d.weight(), d.out(), d.in()),
                        hessians.get(inputOf.get(d.name()))));
            }
        }
        return Map.copyOf(quantized);
    }

    /** Hears the input of each linear layer. */
    private interface Listener {
        void input(BertWeights.Dense dense, float[] x, int rows);
    }

    /** Embeds the encodings with fp32 layers that tell {@code listener} their inputs. */
    private static void record(BertWeights weights, List<Encoding> encodings, ComputePool pool, Listener listener) {
        try (BertEncoder encoder = new BertEncoder(weights, d -> new Recording(d, new DenseLinear(d, pool), listener), pool)) {
            encoder.embed(encodings);
        }
    }

    /** An fp32 linear layer that shows its input to a listener. */
    private record Recording(BertWeights.Dense dense, Linear inner, Listener listener) implements Linear {
        @Override
        public int inputs() {
            return inner.inputs();
        }

        @Override
        public int outputs() {
            return inner.outputs();
        }

        @Override
        public void apply(float[] x, int rows, float[] y) {
            listener.input(dense, x, rows);
            inner.apply(x, rows, y);
        }

        @Override
        public long weightBytes() {
            return inner.weightBytes();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
