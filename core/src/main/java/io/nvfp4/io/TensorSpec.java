package io.nvfp4.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to be written: name, element type and shape (row-major, in elements, as the header
 * records it; an empty shape is a scalar).
 *
 * @param name  the tensor's name, unique within its file
 * @param dtype the element type
 * @param shape the dimensions, each at least 0; the array is copied in and out
 */
public record TensorSpec(String name, SafetensorsDType dtype, long[] shape) {
    /**
     * Checks the spec.
     *
     * @throws IllegalArgumentException if a dimension is negative, the size overflows, the elements of a
     *                                  sub-byte type do not fill whole bytes, or the name is reserved
     */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (name.equals(SafetensorsFile.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is the header's metadata key, not a tensor name");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
        }
        long bytes;
        try {
            bytes = dtype.byteSize(numel(shape));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": " + Arrays.toString(shape) + " " + dtype + " overflows", e);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException(name + ": " + numel(shape) + " " + dtype + " elements do not fill whole bytes");
        }
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The element count: the product of the dimensions (1 for a scalar). */
    public long numel() {
        return numel(shape);
    }

    /** The bytes the data takes. */
    public long byteSize() {
        return dtype.byteSize(numel());
    }

    /** The product of {@code shape}, 1 for a scalar. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && name.equals(s.name) && dtype == s.dtype && Arrays.equals(shape, s.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
