package io.nvfp4.testkit;

import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exact comparisons for quantized tensors and dequantized floats. A failure names the first
 * difference (row, byte or column, both values in hex) instead of dumping whole arrays.
 */
public final class QuantizedAssertions {

    private QuantizedAssertions() {}

    /**
     * Asserts that {@code actual} is {@code expected} byte for byte: format, recipe, shape, scale
     * layout, the tensor scale's bits, every code byte and every scale byte (swizzle padding included).
     */
    public static void assertSameQuantization(QuantizedMatrix expected, QuantizedMatrix actual) {
        assertThat(actual).as("quantized matrix").isNotNull();
        String what = "quantization of " + expected;
        assertThat(actual.format()).as("format, " + what).isEqualTo(expected.format());
        assertThat(actual.recipe()).as("recipe, " + what).isEqualTo(expected.recipe());
        assertThat(actual.rows()).as("rows, " + what).isEqualTo(expected.rows());
        assertThat(actual.columns()).as("columns, " + what).isEqualTo(expected.columns());
        assertThat(actual.scaleLayout()).as("scale layout, " + what).isEqualTo(expected.scaleLayout());
        assertThat(Float.floatToRawIntBits(actual.tensorScale()))
                .as("tensor scale bits (expected %s, got %s), %s", expected.tensorScale(), actual.tensorScale(), what)
                .isEqualTo(Float.floatToRawIntBits(expected.tensorScale()));
        assertSameBytes("code", expected.codes(), actual.codes(), expected.codeBytesPerRow(), what);
        assertSameBytes("scale", expected.scales(), actual.scales(), expected.blocksPerRow(), what);
    }

    /**
     * Asserts that {@code actual[0 .. length)} holds the same floats as {@code expected}, bit for bit,
     * except that all NaNs count as one (their payload is not specified).
     *
     * @param what names the data in the failure message, e.g. "row 3 of MXFP4[...]"
     */
    public static void assertSameFloats(float[] expected, float[] actual, int length, String what) {
        for (int i = 0; i < length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(String.format(Locale.ROOT,
                        "%s differs first at column %d: expected %s (0x%08x), got %s (0x%08x)", what, i,
                        expected[i], Float.floatToRawIntBits(expected[i]), actual[i],
                        Float.floatToRawIntBits(actual[i])));
            }
        }
    }

    private static void assertSameBytes(String kind, MemorySegment expected, MemorySegment actual, long perRow,
                                        String what) {
        assertThat(actual.byteSize()).as("%s bytes, %s", kind, what).isEqualTo(expected.byteSize());
        long at = expected.mismatch(actual);
        if (at >= 0) {
            int e = expected.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            int a = actual.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            throw new AssertionError(String.format(Locale.ROOT,
                    "%s byte %d differs (row %d, byte %d of the row in a row-major layout): expected 0x%02x,"
                            + " got 0x%02x; %s", kind, at, at / perRow, at % perRow, e, a, what));
        }
    }
}
