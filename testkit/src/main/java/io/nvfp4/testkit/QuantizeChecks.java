package io.nvfp4.testkit;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ScalarBackend;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.util.Arrays;

import static io.nvfp4.testkit.QuantizedAssertions.assertSameFloats;
import static io.nvfp4.testkit.QuantizedAssertions.assertSameQuantization;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The quantize and dequantize checks of {@link BackendConformance}, against the scalar reference. */
final class QuantizeChecks {
    private static final Backend REFERENCE = new ScalarBackend();

    private QuantizeChecks() {}

    /**
     * Asserts {@code b} quantizes {@code input} to the reference's bytes, or refuses it with an
     * {@link IllegalArgumentException} as the reference does; returns the reference's result (null if
     * refused).
     */
    static QuantizedMatrix assertQuantizeMatches(Backend b, Quantizer quantizer, FloatMatrix input) {
        QuantizedMatrix expected;
        try {
            expected = REFERENCE.quantize(quantizer, input);
        } catch (IllegalArgumentException refused) {
            assertThatThrownBy(() -> b.quantize(quantizer, input))
                    .as("%s on %d x %d input, which the reference refuses: %s", quantizer, input.rows(),
                            input.columns(), refused.getMessage())
                    .isInstanceOf(IllegalArgumentException.class);
            return null;
        }
        assertSameQuantization(expected, b.quantize(quantizer, input));
        return expected;
    }

    /** Asserts every row of {@code q} dequantizes as the reference's does. */
    static void assertDequantizeRowsMatch(Backend b, QuantizedMatrix q) {
        int columns = Math.toIntExact(q.columns());
        float[] expected = new float[columns];
        float[] actual = new float[columns];
        for (long r = 0; r < q.rows(); r++) {
            REFERENCE.dequantizeRow(q, r, expected);
            b.dequantizeRow(q, r, actual);
            assertSameFloats(expected, actual, columns, "row " + r + " of " + q);
        }
    }

    /** 130 x 1009 extremes, F32 and BF16, every conformance quantizer. */
    static void largerMatrices(Backend b) {
        int rows = 130; // more than one 128-row tile of swizzled scales, 16-row tasks plus a ragged one
        int columns = 1000 + 9; // a tail in every block size and vector length
        for (InputKind kind : new InputKind[] {InputKind.F32_ARRAY, InputKind.BF16}) {
            FloatMatrix input = kind.view(TestMatrices.extremes(rows, columns, 11), rows, columns);
            for (Quantizer quantizer : ConformanceQuantizers.all()) {
                assertQuantizeMatches(b, quantizer, input);
            }
        }
    }

    /** All-zero input (one negative zero), K ragged and not. */
    static void zeros(Backend b) {
        float[] zeros = new float[3 * 48];
        zeros[7] = -0f;
        for (int columns : new int[] {40, 48}) {
            for (Quantizer quantizer : ConformanceQuantizers.all()) {
                assertQuantizeMatches(b, quantizer, FloatMatrix.of(Arrays.copyOf(zeros, 3 * columns), 3, columns));
            }
        }
    }

    /** NaN and infinities are refused with an {@link IllegalArgumentException}. */
    static void nonFinite(Backend b) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] values = TestMatrices.weights(5, 70, 3);
            values[3 * 70 + 66] = bad; // in the ragged last block of row 3
            FloatMatrix input = FloatMatrix.of(values, 5, 70);
            for (Quantizer quantizer : ConformanceQuantizers.all()) {
                assertThatThrownBy(() -> b.quantize(quantizer, input))
                        .as("%s on an input holding %s", quantizer, bad)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    /** {@code dequantizeRow} leaves {@code dst} past K alone. */
    static void dequantizeWritesOnlyTheLogicalColumns(Backend b) {
        for (Quantizer quantizer : ConformanceQuantizers.all()) {
            int k = quantizer.reproducesReference() ? 45 : 48; // a rotation needs K to be a multiple of 16
            QuantizedMatrix q = quantizer.quantize(TestMatrices.weights(2, k, 5), 2, k);
            float[] dst = new float[64];
            Arrays.fill(dst, 1234.5f);
            b.dequantizeRow(q, 1, dst);
            for (int c = k; c < dst.length; c++) {
                assertThat(dst[c]).as("dst[%d] past K = %d, %s", c, k, quantizer).isEqualTo(1234.5f);
            }
        }
    }
}
