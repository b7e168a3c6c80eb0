package io.nvfp4.quantize;

/** Which elements share one NVFP4 block scale. Both store the same format: one scale byte per 16 along K. */
public enum BlockShape {
    /** 16 consecutive elements of a row: the NVFP4 standard. */
    ROW_16,
    /**
     * A 16 x 16 tile: the scale comes from the tile's maximum and is stored in each of its 16 rows, so
     * W and W^T quantize to the same values (the NVFP4 training recipe's weight blocks).
     */
    TILE_16X16
}
