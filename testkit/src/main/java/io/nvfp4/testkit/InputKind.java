package io.nvfp4.testkit;

import io.nvfp4.format.FP16;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The ways a {@link FloatMatrix} can hold the same values, each of which a backend may read through
 * a different path: a {@code float[]}, little-endian F32 in native memory, BF16 and F16. BF16 and F16
 * round the values to their precision (to nearest even); compare against what the view reads back,
 * never against the original floats.
 */
public enum InputKind {
    /** {@link FloatMatrix#of(float[], long, long)}: a heap array. */
    F32_ARRAY(DType.F32),
    /** Little-endian F32 in a native segment, as a mapped checkpoint tensor is. */
    F32_NATIVE(DType.F32),
    /** bfloat16 in a native segment. */
    BF16(DType.BF16),
    /** IEEE binary16 in a native segment (values beyond its range become infinite). */
    F16(DType.F16);

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;

    InputKind(DType dtype) {
        this.dtype = dtype;
    }

    /** The storage type of the views this kind makes. */
    public DType dtype() {
        return dtype;
    }

    /**
     * A {@code rows x columns} view of {@code values} (row-major). Native memory comes from an
     * automatic arena: it lives as long as the view is reachable.
     */
    public FloatMatrix view(float[] values, long rows, long columns) {
        if (this == F32_ARRAY) {
            return FloatMatrix.of(values, rows, columns);
        }
        MemorySegment data = Arena.ofAuto().allocate((long) values.length * dtype.byteSize(), 16);
        for (int i = 0; i < values.length; i++) {
            switch (this) {
                case F32_NATIVE -> data.setAtIndex(F32_LE, i, values[i]);
                case BF16 -> data.setAtIndex(U16_LE, i, io.nvfp4.format.BF16.fromFloat(values[i])); // the class, not this constant
                case F16 -> data.setAtIndex(U16_LE, i, FP16.fromFloat(values[i]));
                default -> throw new AssertionError(this);
            }
        }
        return FloatMatrix.of(data, dtype, rows, columns);
    }
}
