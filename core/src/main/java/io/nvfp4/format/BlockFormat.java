package io.nvfp4.format;

/**
 * A micro-block format: an element type, a block of consecutive elements along the last (K)
 * dimension that shares one scale byte, and for NVFP4 one FP32 scale for the whole tensor.
 *
 * <p>Storage: 4-bit codes are packed two to a byte, byte {@code i} = {@code code[2i] | code[2i+1] << 4}
 * (the layout of torchao, modelopt, compressed-tensors and cuBLAS {@code float4_e2m1fn_x2});
 * 6-bit and 8-bit codes take one byte each (torchao's MX layout keeps FP6 unpacked, code in the low
 * 6 bits). Scales are one byte per block.
 */
public enum BlockFormat {
    /** NVIDIA NVFP4: E2M1 elements, a UE4M3 scale per 16, an FP32 tensor scale. */
    NVFP4(ElementType.E2M1, 16, ScaleType.UE4M3, true),
    /** OCP MXFP4: E2M1 elements, an E8M0 scale per 32. */
    MXFP4(ElementType.E2M1, 32, ScaleType.E8M0, false),
    /** OCP MXFP6 with E2M3 elements. */
    MXFP6_E2M3(ElementType.E2M3, 32, ScaleType.E8M0, false),
    /** OCP MXFP6 with E3M2 elements. */
    MXFP6_E3M2(ElementType.E3M2, 32, ScaleType.E8M0, false),
    /** OCP MXFP8 with E4M3 elements. */
    MXFP8_E4M3(ElementType.E4M3, 32, ScaleType.E8M0, false),
    /** OCP MXFP8 with E5M2 elements. */
    MXFP8_E5M2(ElementType.E5M2, 32, ScaleType.E8M0, false),
    /** OCP MXINT8: int8 elements k/64, an E8M0 scale per 32. */
    MXINT8(ElementType.INT8, 32, ScaleType.E8M0, false);

    private final ElementType elementType;
    private final int blockSize;
    private final ScaleType scaleType;
    private final boolean tensorScale;

    BlockFormat(ElementType elementType, int blockSize, ScaleType scaleType, boolean tensorScale) {
        this.elementType = elementType;
        this.blockSize = blockSize;
        this.scaleType = scaleType;
        this.tensorScale = tensorScale;
    }

    /** The element type. */
    public ElementType elementType() { return elementType; }

    /** Consecutive elements along K that share one scale: 16 for NVFP4, 32 for MX. */
    public int blockSize() { return blockSize; }

    /** The block-scale type. */
    public ScaleType scaleType() { return scaleType; }

    /** Whether the format has a per-tensor FP32 scale besides the block scales (NVFP4). */
    public boolean hasTensorScale() { return tensorScale; }

    /** Whether two codes share a byte. */
    public boolean packsTwoPerByte() { return elementType.bits() == 4; }

    /** {@code columns} rounded up to a whole number of blocks (zero padding, the modelopt rule). */
    public long paddedColumns(long columns) {
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be positive, got " + columns);
        }
        return Math.ceilDiv(columns, (long) blockSize) * blockSize;
    }

    /** Bytes of codes in one row of {@code paddedColumns} (a block multiple). */
    public long codeBytesPerRow(long paddedColumns) {
        return packsTwoPerByte() ? paddedColumns / 2 : paddedColumns;
    }

    /** Storage bytes per weight: codes plus block scales (the tensor scale is negligible). */
    public double bytesPerWeight() {
        return (packsTwoPerByte() ? 0.5 : 1.0) + 1.0 / blockSize;
    }

    /** Information bits per weight: element bits plus the scale's share. */
    public double bitsPerWeight() {
        return elementType.bits() + 8.0 / blockSize;
    }
}
