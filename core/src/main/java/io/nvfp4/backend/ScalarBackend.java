package io.nvfp4.backend;

import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.util.Objects;

/**
 * The reference backend: plain Java, every format, always supported. Quantization and
 * dequantization are {@link Quantizer} and {@link Dequantizer}; matmul dequantizes one weight row at
 * a time and sums {@code x[m][k] * w[n][k]} with one fused multiply-add per k, in order; rows of W
 * run in parallel on the {@link ComputePool}. Quantization runs on the common fork-join pool.
 */
public final class ScalarBackend implements Backend {

    /** The unit roundoff of fp32, 2^-24. */
    private static final double FP32_UNIT_ROUNDOFF = 0x1p-24;

    /** For {@link java.util.ServiceLoader}; the reference is stateless. */
    public ScalarBackend() {}

    @Override
    public String name() { return "scalar"; }

    @Override
    public int priority() { return 0; }

    @Override
    public boolean isSupported() { return true; }

    @Override
    public QuantizedMatrix quantize(Quantizer quantizer, FloatMatrix input) {
        return quantizer.quantize(input);
    }

    @Override
    public void dequantizeRow(QuantizedMatrix weight, long row, float[] dst) {
        Dequantizer.dequantizeRow(weight, row, dst);
    }

    @Override
    public PreparedWeight prepare(QuantizedMatrix weight) {
        return new Prepared(Objects.requireNonNull(weight, "weight"), this);
    }

    @Override
    public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
        Objects.requireNonNull(pool, "pool");
        QuantizedMatrix w = checkMatmul(this, weight, x, y);
        int m = Math.toIntExact(x.rows());
        int n = Math.toIntExact(w.rows());
        int k = Math.toIntExact(w.columns());
        float[] activations = new float[Math.multiplyExact(m, k)];
        float[] row = new float[k];
        for (int i = 0; i < m; i++) {
            x.readRow(i, 0, row, k);
            System.arraycopy(row, 0, activations, i * k, k);
        }
        pool.parallelFor(n, j -> {
            float[] wRow = new float[k];
            Dequantizer.dequantizeRow(w, j, wRow);
            for (int i = 0; i < m; i++) {
                float sum = 0;
                int base = i * k;
                for (int c = 0; c < k; c++) {
                    sum = Math.fma(activations[base + c], wRow[c], sum);
                }
                y[i * n + j] = sum;
            }
        });
    }

    /**
     * The bound every backend's matmul meets: an fp32 sum of K products in any order (each product
     * and partial sum rounded once, or fused) is within {@code gamma_K * sum |x_k w_k|} of the exact
     * sum, with {@code gamma_K = K u / (1 - K u)} and u = 2^-24 (Higham, Accuracy and Stability of
     * Numerical Algorithms, section 3.1). The weights here are the exactly dequantized values.
     *
     * @param k                 the number of products summed
     * @param sumAbsProducts    {@code sum |x_k * w_k|}, computed in double
     */
    public static double matmulErrorBound(long k, double sumAbsProducts) {
        double ku = k * FP32_UNIT_ROUNDOFF;
        if (ku >= 0.5) {
            throw new IllegalArgumentException("K = " + k + " is too long for an fp32 error bound");
        }
        return ku / (1 - ku) * sumAbsProducts;
    }

    /** Checks a matmul call's operands and returns the weight. */
    private static QuantizedMatrix checkMatmul(Backend self, PreparedWeight weight, FloatMatrix x, float[] y) {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (weight.backend() != self) {
            throw new IllegalArgumentException("weight was prepared by backend " + weight.backend().name()
                    + ", not " + self.name());
        }
        if (weight instanceof Prepared p && p.closed) {
            throw new IllegalStateException("prepared weight " + p.weight + " is closed");
        }
        QuantizedMatrix w = weight.weight();
        if (x.columns() != w.columns()) {
            throw new IllegalArgumentException("x is " + x.rows() + " x " + x.columns() + " but W is " + w.rows()
                    + " x " + w.columns() + ": K differs");
        }
        if ((double) x.rows() * w.rows() > y.length) {
            throw new IllegalArgumentException("y holds " + y.length + " floats, x * W^T needs " + x.rows() + " x "
                    + w.rows());
        }
        return w;
    }

    /** The scalar backend keeps the weight as it is. */
    private static final class Prepared implements PreparedWeight {
        private final QuantizedMatrix weight;
        private final Backend backend;
        private volatile boolean closed;

        Prepared(QuantizedMatrix weight, Backend backend) {
            this.weight = weight;
            this.backend = backend;
        }

        @Override
        public QuantizedMatrix weight() { return weight; }

        @Override
        public Backend backend() { return backend; }

        @Override
        public void close() { closed = true; }
    }
}
