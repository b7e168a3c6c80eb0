package io.nvfp4.testkit;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import io.nvfp4.testkit.ConformanceCases.MatmulCase;

import java.util.Arrays;
import java.util.List;

import static io.nvfp4.testkit.QuantizedAssertions.assertSameFloats;
import static org.assertj.core.api.Assertions.assertThat;

/** The matmul checks of {@link BackendConformance}: accuracy, determinism, threads, output extent. */
final class MatmulChecks {
    private static final List<Quantizer> TWO_FORMATS =
            List.of(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT), Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP));

    private MatmulChecks() {}

    /** The case's result on a two-thread pool is within the bound of {@link MatmulReference}. */
    static void withinBound(Backend b, MatmulCase c) {
        QuantizedMatrix w = c.weight();
        FloatMatrix x = c.x();
        float[] y = new float[c.m() * c.n()];
        try (ComputePool pool = ComputePool.create(2); PreparedWeight prepared = b.prepare(w)) {
            b.matmul(prepared, x, y, pool);
        }
        MatmulReference.of(w, x).assertMatches(y, c.toString());
    }

    /** GEMV with a long ragged K, GEMM with M = 130, N = 1, K = 1, for every matmul quantizer. */
    static void largerShapes(Backend b) {
        int[][] shapes = {{1, 300, 4103}, {130, 67, 1000}, {33, 257, 520}, {1, 1, 1}, {7, 1, 4096}};
        for (int[] s : shapes) {
            for (Quantizer quantizer : ConformanceQuantizers.forMatmul()) {
                withinBound(b, new MatmulCase(quantizer, s[0], s[1], s[2], InputKind.F32_ARRAY, s[0] * 31L + s[2]));
            }
        }
    }

    /** Pools of 1, 2, 3 and 8 threads and the shared pool give the same bits. */
    static void poolSizeIndependence(Backend b) {
        for (Quantizer quantizer : TWO_FORMATS) {
            QuantizedMatrix w = quantizer.quantize(TestMatrices.weights(150, 333, 8), 150, 333);
            for (int m : new int[] {1, 37}) {
                FloatMatrix x = FloatMatrix.of(TestMatrices.activations(m, 333, m), m, 333);
                try (PreparedWeight prepared = b.prepare(w)) {
                    float[] expected = matmul(b, prepared, x, 1);
                    for (int threads : new int[] {2, 3, 8}) {
                        assertSameFloats(expected, matmul(b, prepared, x, threads), expected.length,
                                "y with a pool of " + threads + " threads, M = " + m + ", " + w);
                    }
                    float[] shared = new float[expected.length];
                    b.matmul(prepared, x, shared);
                    assertSameFloats(expected, shared, expected.length, "y on the shared pool, M = " + m + ", " + w);
                }
            }
        }
    }

    /** Eight threads, each with its own M, share one prepared weight: each gets the single-threaded bits. */
    static void eightThreadsShareOneWeight(Backend b) throws InterruptedException {
        int n = 200;
        int k = 700;
        int[] ms = {1, 5, 17, 1, 3, 64, 1, 9}; // one M per thread
        for (Quantizer quantizer : TWO_FORMATS) {
            QuantizedMatrix w = quantizer.quantize(TestMatrices.weights(n, k, 21), n, k);
            FloatMatrix[] xs = new FloatMatrix[ms.length];
            float[][] expected = new float[ms.length][];
            try (PreparedWeight prepared = b.prepare(w)) {
                for (int t = 0; t < ms.length; t++) {
                    xs[t] = FloatMatrix.of(TestMatrices.activations(ms[t], k, 100 + t), ms[t], k);
                    expected[t] = matmul(b, prepared, xs[t], 1);
                }
                float[][][] got = ConcurrentCalls.run(ms.length, 4, (t, pool) -> {
                    float[] y = new float[ms[t] * n];
                    b.matmul(prepared, xs[t], y, pool);
                    return y;
                });
                for (int t = 0; t < ms.length; t++) {
                    for (float[] y : got[t]) {
                        assertSameFloats(expected[t], y, y.length, "thread " + t + " (M = " + ms[t]
                                + ") of 8 sharing one prepared " + w + " vs. a single-threaded call");
                    }
                }
            }
        }
    }

    /** An oversized y keeps its values past M*N. */
    static void writesOnlyTheFirstMTimesN(Backend b) {
        QuantizedMatrix w = Quantizer.nvfp4().quantize(TestMatrices.weights(9, 50, 4), 9, 50);
        FloatMatrix x = FloatMatrix.of(TestMatrices.activations(3, 50, 4), 3, 50);
        float[] y = new float[3 * 9 + 40];
        Arrays.fill(y, -777f);
        try (PreparedWeight prepared = b.prepare(w)) {
            b.matmul(prepared, x, y, ComputePool.shared());
            assertSameFloats(matmul(b, prepared, x, 1), y, 3 * 9, "y[0 .. M*N) of an oversized y");
        }
        for (int i = 3 * 9; i < y.length; i++) {
            assertThat(y[i]).as("y[%d] past M*N = 27", i).isEqualTo(-777f);
        }
    }

    /** y = x * W^T on a fresh pool of {@code threads} threads. */
    static float[] matmul(Backend b, PreparedWeight prepared, FloatMatrix x, int threads) {
        float[] y = new float[Math.toIntExact(x.rows() * prepared.weight().rows())];
        try (ComputePool pool = ComputePool.create(threads)) {
            b.matmul(prepared, x, y, pool);
        }
        return y;
    }
}
