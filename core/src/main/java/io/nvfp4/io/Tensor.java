package io.nvfp4.io;

import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor of a safetensors file: its header entry and a zero-copy, read-only view of its bytes
 * (little-endian, row-major). Valid while its file is open.
 */
public final class Tensor {
    private final TensorInfo info;
    private final MemorySegment data;

    /**
     * @param info the header entry
     * @param data exactly {@code info.byteSize()} bytes
     */
    public Tensor(TensorInfo info, MemorySegment data) {
        this.info = Objects.requireNonNull(info, "info");
        this.data = Objects.requireNonNull(data, "data").asReadOnly();
        if (data.byteSize() != info.byteSize()) {
            throw new IllegalArgumentException(info + " needs " + info.byteSize() + " bytes, got " + data.byteSize());
        }
    }

    /** The header entry. */
    public TensorInfo info() {
        return info;
    }

    /** The name. */
    public String name() {
        return info.name();
    }

    /** The element type. */
    public SafetensorsDType dtype() {
        return info.dtype();
    }

    /** A copy of the shape. */
    public long[] shape() {
        return info.shape();
    }

    /** The bytes, read-only. */
    public MemorySegment data() {
        return data;
    }

    /**
     * The tensor as a float matrix: the last dimension is the columns, every other dimension folds
     * into the rows (a [E, N, K] tensor is E N rows of K); a scalar is 1 x 1.
     *
     * @throws IllegalArgumentException if the dtype is not F32, BF16 or F16, or the tensor is empty
     */
    public FloatMatrix matrix() {
        return rows(0, rowCount());
    }

    /** The rows of {@link #matrix()}: the element count divided by the last dimension. */
    public long rowCount() {
        long columns = columnCount();
        return columns == 0 ? 0 : info.numel() / columns;
    }

    /** The columns of {@link #matrix()}: the last dimension, 1 for a scalar. */
    public long columnCount() {
        return info.rank() == 0 ? 1 : info.dim(info.rank() - 1);
    }

    /**
     * Rows {@code [first, first + count)} of {@link #matrix()}, zero-copy: what a converter quantizes
     * a chunk at a time, so that no tensor needs to be held whole.
     *
     * @throws IllegalArgumentException if the dtype is not F32, BF16 or F16, or the range is empty
     * @throws IndexOutOfBoundsException if the range is outside the tensor
     */
    public FloatMatrix rows(long first, long count) {
        DType type = info.dtype().floatType().orElseThrow(() -> new IllegalArgumentException(
                info.name() + " is " + info.dtype() + ", not a float tensor (F32, BF16 or F16)"));
        long columns = columnCount();
        Objects.checkFromIndexSize(first, count, rowCount());
        long rowBytes = columns * type.byteSize();
        return FloatMatrix.of(data.asSlice(first * rowBytes, count * rowBytes), type, count, columns);
    }

    @Override
    public String toString() {
        return info.name() + " " + info.dtype() + Arrays.toString(info.shape());
    }
}
