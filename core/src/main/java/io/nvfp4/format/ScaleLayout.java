package io.nvfp4.format;

/**
 * How a matrix of block scales (R rows x C = K/blockSize columns, one byte each) is laid out.
 */
public enum ScaleLayout {
    /** R x C bytes, row-major: what modelopt and compressed-tensors checkpoints store. */
    ROW_MAJOR,
    /**
     * The cuBLAS/CUTLASS 128x4 tile layout that {@code _scaled_mm} consumes (torchao
     * {@code to_blocked}): R padded to 128, C padded to 4 with zero bytes, 512-byte tiles with
     * row-tiles outer, and inside a tile row {@code 32i + j} stored at byte {@code 16j + 4i + (c mod 4)}.
     */
    SWIZZLED_128X4;

    /** Bytes this layout needs for {@code rows x columns} scales. */
    public long byteSize(long rows, long columns) {
        return this == ROW_MAJOR ? rows * columns
                : Math.ceilDiv(rows, 128L) * 128L * Math.ceilDiv(columns, 4L) * 4L;
    }

    /** The byte offset of scale (r, c) in a {@code rows x columns} scale matrix. */
    public long offset(long r, long c, long columns) {
        if (this == ROW_MAJOR) {
            return r * columns + c;
        }
        long tilesPerRow = Math.ceilDiv(columns, 4L);
        long tile = (r / 128) * tilesPerRow + c / 4;
        return tile * 512 + (r % 32) * 16 + ((r % 128) / 32) * 4 + (c % 4);
    }
}
