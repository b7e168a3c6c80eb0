package io.nvfp4.simd;

import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.backend.ScalarBackend;
import io.nvfp4.format.BF16;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.FP16;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * matmul is within {@link ScalarBackend#matmulErrorBound} of the double-precision product of x and
 * the exactly dequantized weights, for GEMV and GEMM shapes (every kernel: GEMV, SmallGemm, tile
 * GEMM), ragged K, N that is no multiple of the row groups, bf16 and f16 activations, and any thread
 * count; for M > 1 it is bit for bit the scalar reference's result.
 */
class SimdMatmulTest {
    /** Three threads, never closed: jqwik properties run outside JUnit's class lifecycle. */
    private static final ComputePool POOL = ComputePool.create(3);
    private final SimdBackend simd = new SimdBackend();
    private final ScalarBackend scalar = new ScalarBackend();

    @Provide
    Arbitrary<Quantizer> quantizers() {
        return Arbitraries.of(Quantizer.nvfp4(Nvfp4Recipe.MODELOPT), Quantizer.nvfp4(Nvfp4Recipe.TORCHAO),
                Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS), Quantizer.nvfp4(Nvfp4Recipe.GGML),
                Quantizer.mx(BlockFormat.MXFP4), Quantizer.mx(BlockFormat.MXFP4, MxRecipe.GGML));
    }

    @Provide
    Arbitrary<Integer> ms() {
        return Arbitraries.of(1, 1, 2, 7, 33, 130);
    }

    @Provide
    Arbitrary<Integer> ns() {
        return Arbitraries.of(1, 3, 17, 64, 100);
    }

    @Tag("width")
    @Property(tries = 120)
    void withinTheFp32BoundOfTheExactProduct(@ForAll("quantizers") Quantizer quantizer, @ForAll("ms") int m,
                                             @ForAll("ns") int n, @ForAll @IntRange(min = 1, max = 300) int k,
                                             @ForAll long seed) {
        Weights w = Weights.generate(n, k, seed);
        QuantizedMatrix q;
        try {
            q = quantizer.quantize(w.values(), n, k);
        } catch (IllegalArgumentException refused) {
            // a tiny all-subnormal weight has no usable tensor scale: a quantize case, not a matmul case
            Assume.that(false);
            return;
        }
        float[] x = Weights.activations(m * k, seed + 1);
        check(q, x, FloatMatrix.of(x, m, k), seed % 2 == 0 ? POOL : ComputePool.shared());
    }

    /**
     * Every row count from 1 to 33 (GEMV, SmallGemm for 2 to 12 rows with full and partial blocks of 6,
     * the tile GEMM beyond with its padded last block), on K with a ragged last block and N with a
     * partial last group, for the three kinds of block factor (s * g, s / g, 2^e).
     */
    @Tag("width")
    @Test
    void everyRowCountFromOneTo33() {
        Quantizer[] quantizers = {Quantizer.nvfp4(Nvfp4Recipe.MODELOPT), Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS),
                Quantizer.mx(BlockFormat.MXFP4)};
        int[][] shapes = {{40, 70}, {100, 200}, {17, 32}, {64, 384}};
        for (int m = 1; m <= 33; m++) {
            int[] shape = shapes[m % shapes.length];
            Quantizer quantizer = quantizers[m % quantizers.length];
            QuantizedMatrix q = quantizer.quantize(Weights.generate(shape[0], shape[1], m).values(), shape[0], shape[1]);
            float[] x = Weights.activations(m * shape[1], 100 + m);
            check(q, x, FloatMatrix.of(x, m, shape[1]), m % 2 == 0 ? POOL : ComputePool.shared());
        }
    }

    /** After warm-up, SmallGemm and the tile GEMM allocate nothing, on the calling thread or the workers. */
    @Test
    void gemmAllocatesNothingOnceWarm() {
        int n = 384;
        int k = 384;
        QuantizedMatrix nv = Quantizer.nvfp4().quantize(Weights.generate(n, k, 1).values(), n, k);
        FloatMatrix small = FloatMatrix.of(Weights.activations(7 * k, 2), 7, k);
        FloatMatrix tall = FloatMatrix.of(Weights.activations(20 * k, 3), 20, k);
        float[] y = new float[20 * n];
        try (ComputePool pool = ComputePool.create(2); PreparedWeight w = simd.prepare(nv)) {
            simd.matmul(w, small, y, pool); // starts the worker
            long perCall = Allocations.perCallOnceWarm(() -> {
                for (int i = 0; i < 100; i++) {
                    simd.matmul(w, small, y, pool);
                    simd.matmul(w, tall, y, pool);
                }
            }, 200);
            assertThat(perCall).as("bytes allocated per GEMM").isZero();
        }
    }

    @Test
    void bf16AndF16Activations() {
        int m = 9;
        int n = 40;
        int k = 200;
        QuantizedMatrix q = Quantizer.nvfp4().quantize(Weights.generate(n, k, 5).values(), n, k);
        float[] x = Weights.activations(m * k, 6);
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            MemorySegment data = MemorySegment.ofArray(new short[m * k]);
            float[] exact = new float[m * k];
            for (int i = 0; i < x.length; i++) {
                short bits = dtype == DType.BF16 ? BF16.fromFloat(x[i]) : FP16.fromFloat(x[i]);
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, bits);
                exact[i] = dtype == DType.BF16 ? BF16.toFloat(bits) : FP16.toFloat(bits);
            }
            check(q, exact, FloatMatrix.of(data, dtype, m, k), POOL);
            check(q, Arrays.copyOf(exact, k), FloatMatrix.of(data.asSlice(0, 2L * k), dtype, 1, k), POOL);
        }
    }

    @Test
    void largerShapesSpanManyPanelsAndSlabs() {
        int n = 300; // 19 groups of 16: pairs, an odd group and a partial one
        int k = 1000;
        QuantizedMatrix q = Quantizer.mx(BlockFormat.MXFP4).quantize(Weights.generate(n, k, 8).values(), n, k);
        int m = 260; // two slabs of x
        float[] x = Weights.activations(m * k, 9);
        check(q, x, FloatMatrix.of(x, m, k), POOL);
        check(q, Arrays.copyOf(x, k), FloatMatrix.of(Arrays.copyOf(x, k), 1, k), POOL);
    }

    @Test
    void otherFormatsAndMisuse() {
        QuantizedMatrix q = Quantizer.mx(BlockFormat.MXFP8_E4M3).quantize(Weights.generate(5, 70, 2).values(), 5, 70);
        float[] x = Weights.activations(3 * 70, 3);
        check(q, x, FloatMatrix.of(x, 3, 70), POOL);

        QuantizedMatrix nv = Quantizer.nvfp4().quantize(Weights.generate(2, 32, 4).values(), 2, 32);
        PreparedWeight prepared = simd.prepare(nv);
        assertThat(prepared.weight()).isSameAs(nv);
        assertThat(prepared.backend()).isSameAs(simd);
        assertThatThrownBy(() -> simd.matmul(prepared, FloatMatrix.of(new float[31], 1, 31), new float[2]))
                .hasMessageContaining("K differs");
        assertThatThrownBy(() -> simd.matmul(prepared, FloatMatrix.of(new float[32], 1, 32), new float[1]))
                .hasMessageContaining("y holds 1 floats");
        try (PreparedWeight other = scalar.prepare(nv)) {
            assertThatThrownBy(() -> simd.matmul(other, FloatMatrix.of(new float[32], 1, 32), new float[2]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prepared by backend scalar");
        }
        prepared.close();
        prepared.close();
        assertThatThrownBy(() -> simd.matmul(prepared, FloatMatrix.of(new float[32], 1, 32), new float[2]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /** Checks simd's x * W^T against the double-precision reference (and, for M > 1, the scalar result). */
    private void check(QuantizedMatrix q, float[] x, FloatMatrix input, ComputePool pool) {
        int m = (int) input.rows();
        int n = (int) q.rows();
        int k = (int) q.columns();
        float[] dq = Dequantizer.dequantize(q);
        float[] y = new float[m * n + 1];
        y[m * n] = 12345f;
        try (PreparedWeight prepared = simd.prepare(q)) {
            simd.matmul(prepared, input, y, pool);
        }
        assertThat(y[m * n]).as("past M x N").isEqualTo(12345f);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double abs = 0;
                for (int c = 0; c < k; c++) {
                    double p = (double) x[i * k + c] * dq[j * k + c];
                    exact += p;
                    abs += Math.abs(p);
                }
                double error = Math.abs(y[i * n + j] - exact);
                // matmulErrorBound assumes no underflow; products and sums in the fp32 subnormal range
                // (weights of 2^-127 scales) add at most half a subnormal step per rounding, 2^-150.
                double bound = ScalarBackend.matmulErrorBound(k, abs) + (k + 1) * 0x1p-150;
                if (!(error <= bound)) {
                    throw new AssertionError(q + " x [" + m + " x " + k + "]: y[" + i + "][" + j + "] = " + y[i * n + j]
                            + ", exact " + exact + ", error " + error + " > bound " + bound);
                }
            }
        }
        if (m > 1 && (q.format() == BlockFormat.NVFP4 || q.format() == BlockFormat.MXFP4)) {
            // the GEMM sums each output in k order with one FMA per product, like the scalar reference
            float[] reference = new float[m * n];
            try (PreparedWeight prepared = scalar.prepare(q)) {
                scalar.matmul(prepared, input, reference, pool);
            }
            for (int i = 0; i < m * n; i++) {
                assertThat(y[i] == reference[i]).as("GEMM output %d: %s vs scalar %s", i, y[i], reference[i]).isTrue();
            }
        }
    }
}
