package io.nvfp4.tensor;

/** Floating-point element types of dense input tensors (little-endian in memory). */
public enum DType {
    /** IEEE binary32. */
    F32(4),
    /** bfloat16. */
    BF16(2),
    /** IEEE binary16. */
    F16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }
}
