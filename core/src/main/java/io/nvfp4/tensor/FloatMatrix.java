package io.nvfp4.tensor;

import io.nvfp4.format.BF16;
import io.nvfp4.format.FP16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A read-only, row-major matrix of floats, rows x columns, over a {@code float[]} or over
 * little-endian F32, BF16 or F16 data in a {@link MemorySegment} (a mapped safetensors tensor, say).
 * Offsets are {@code long}, so a view can exceed 2^31 elements; one row must fit a Java array.
 * A view does not copy: the data must not change while it is being read.
 */
public final class FloatMatrix {
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Elements of a bf16/f16 row converted per bulk copy. */
    private static final int HALF_CHUNK = 4096;

    private final long rows;
    private final long columns;
    private final DType dtype;
    private final MemorySegment data;

    private FloatMatrix(long rows, long columns, DType dtype, MemorySegment data) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + rows + " x " + columns);
        }
        if (columns > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a row of " + columns + " columns does not fit one array");
        }
        long need = Math.multiplyExact(Math.multiplyExact(rows, columns), (long) dtype.byteSize());
        if (data.byteSize() != need) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " " + dtype + " matrix needs "
                    + need + " bytes, the data has " + data.byteSize());
        }
        this.rows = rows;
        this.columns = columns;
        this.dtype = dtype;
        this.data = data;
    }

    /** A view of {@code values}, which must hold exactly rows x columns floats. */
    public static FloatMatrix of(float[] values, long rows, long columns) {
        Objects.requireNonNull(values, "values");
        if (rows > 0 && columns > 0 && (double) rows * columns != values.length) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " matrix needs " + rows * columns
                    + " values, the array has " + values.length);
        }
        return new FloatMatrix(rows, columns, DType.F32, MemorySegment.ofArray(values));
    }

    /** A view of little-endian {@code dtype} data holding exactly rows x columns elements. */
    public static FloatMatrix of(MemorySegment data, DType dtype, long rows, long columns) {
        return new FloatMatrix(rows, columns, Objects.requireNonNull(dtype, "dtype"),
                Objects.requireNonNull(data, "data"));
    }

    /** Rows (the outer dimension, N for a weight). */
    public long rows() { return rows; }

    /** Columns (the inner dimension K, along which blocks run). */
    public long columns() { return columns; }

    /** Storage type of the data. */
    public DType dtype() { return dtype; }

    /** The element at (row, column), widened to float (exact for every dtype). */
    public float get(long row, long column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, columns);
        return load(row * columns + column);
    }

    /** Copies {@code length} elements of {@code row} starting at {@code column} into {@code dst[0..length)}. */
    public void readRow(long row, long column, float[] dst, int length) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(column, length, columns);
        long base = row * columns + column;
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32_LE, base * 4, dst, 0, length);
            return;
        }
        // Half-width types: one bulk copy of the bits per chunk, then a plain widening loop, instead
        // of a bounds-checked segment read per element.
        short[] bits = new short[Math.min(length, HALF_CHUNK)];
        for (int from = 0; from < length; from += bits.length) {
            int n = Math.min(bits.length, length - from);
            MemorySegment.copy(data, U16_LE, (base + from) * 2, bits, 0, n);
            if (dtype == DType.BF16) {
                for (int i = 0; i < n; i++) {
                    dst[from + i] = Float.intBitsToFloat(bits[i] << 16);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    dst[from + i] = Float.float16ToFloat(bits[i]);
                }
            }
        }
    }

    private float load(long index) {
        return switch (dtype) {
            case F32 -> data.get(F32_LE, index * 4);
            case BF16 -> BF16.toFloat(data.get(U16_LE, index * 2));
            case F16 -> FP16.toFloat(data.get(U16_LE, index * 2));
        };
    }
}
