package io.nvfp4.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's header entry: name, element type, shape and byte range. The range
 * {@code [begin, end)} is relative to the start of the data buffer (which follows the header), not
 * to the start of the file, as the safetensors format defines {@code data_offsets}.
 *
 * @param name  the tensor's name
 * @param dtype the element type
 * @param shape the dimensions (copied in and out); empty for a scalar
 * @param begin first byte, relative to the data buffer
 * @param end   one past the last byte, relative to the data buffer
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {
    /** Copies the shape. Validation against the format's rules is the reader's job. */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** The element count. */
    public long numel() {
        return TensorSpec.numel(shape);
    }

    /** The bytes of data, {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    /** Name, dtype and shape, without the offsets. */
    public TensorSpec spec() {
        return new TensorSpec(name, dtype, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
