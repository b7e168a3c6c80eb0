package io.nvfp4.examples.minilm;

import io.nvfp4.backend.ComputePool;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Max calibration of activation tensor scales, as modelopt's default for NVFP4 activations does it:
 * run the fp32 model on sample sentences and record, for each linear layer, the largest |x| its input
 * reached. A W4A4 layer then derives its fixed activation tensor scale from that amax; block scales
 * stay dynamic. The calibration sentences are not the evaluation sentences.
 */
final class Calibration {
    private Calibration() {}

    /** The input amax of every linear layer, by layer name, over {@code encodings}. */
    static Map<String, Float> amax(BertWeights weights, List<Encoding> encodings, ComputePool pool) {
        Map<String, Float> amax = new ConcurrentHashMap<>();
        try (BertEncoder encoder = new BertEncoder(weights, d -> new Recording(d, new DenseLinear(d, pool), amax), pool)) {
            encoder.embed(encodings);
        }
        return Map.copyOf(amax);
    }

    /** An fp32 linear layer that records the largest |x| it is given. */
    private record Recording(BertWeights.Dense dense, Linear inner, Map<String, Float> amax) implements Linear {
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
            float max = 0;
            for (int i = 0; i < rows * inputs(); i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            amax.merge(dense.name(), max, Math::max);
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
