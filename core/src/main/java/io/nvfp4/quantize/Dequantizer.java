package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The scalar reference dequantizer: every element becomes {@code element(code) * blockFactor}, one
 * fp32 product, exactly as the references compute it (spec sections 2.6 and 4.3). The block factor
 * is {@link QuantizedMatrix#blockFactor}; a NaN MX scale byte (0xFF) makes its whole block NaN.
 * Only the logical columns are written; the zero padding of a ragged K is dropped.
 */
public final class Dequantizer {
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Dequantizer() {}

    /** Dequantizes one row into {@code dst[0 .. columns)}. */
    public static void dequantizeRow(QuantizedMatrix q, long row, float[] dst) {
        Objects.requireNonNull(q, "q");
        int columns = Math.toIntExact(q.columns());
        Objects.checkFromIndexSize(0, columns, dst.length);
        BlockFormat format = q.format();
        ElementType element = format.elementType();
        int blockSize = format.blockSize();
        for (int b = 0; b * blockSize < columns; b++) {
            float factor = q.blockFactor(row, b);
            int end = Math.min(columns, (b + 1) * blockSize);
            for (int c = b * blockSize; c < end; c++) {
                dst[c] = element.decode(q.code(row, c)) * factor;
            }
        }
    }

    /** Dequantizes the whole matrix into a new row-major array (at most 2^31 - 1 elements). */
    public static float[] dequantize(QuantizedMatrix q) {
        long n = Math.multiplyExact(q.rows(), q.columns());
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(q + " has " + n + " elements, too many for one array;"
                    + " use dequantize(q, segment)");
        }
        int columns = (int) q.columns();
        float[] out = new float[(int) n];
        float[] row = new float[columns];
        for (long r = 0; r < q.rows(); r++) {
            dequantizeRow(q, r, row);
            System.arraycopy(row, 0, out, (int) (r * columns), columns);
        }
        return out;
    }

    /** Dequantizes the whole matrix into {@code dst} as little-endian fp32, rows x columns, row-major. */
    public static void dequantize(QuantizedMatrix q, MemorySegment dst) {
        long need = Math.multiplyExact(Math.multiplyExact(q.rows(), q.columns()), 4L);
        if (dst.byteSize() != need) {
            throw new IllegalArgumentException(q + " dequantizes to " + need + " bytes, the destination has "
                    + dst.byteSize());
        }
        int columns = Math.toIntExact(q.columns());
        float[] row = new float[columns];
        for (long r = 0; r < q.rows(); r++) {
            dequantizeRow(q, r, row);
            MemorySegment.copy(row, 0, dst, F32_LE, r * columns * 4, columns);
        }
    }
}
