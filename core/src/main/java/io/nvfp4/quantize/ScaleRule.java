package io.nvfp4.quantize;

/**
 * How an NVFP4 block scale is chosen (spec section 8). Every rule writes plain NVFP4: any decoder
 * reads the result; only the reference rule reproduces a reference's bytes.
 */
public enum ScaleRule {
    /** The recipe's own rule: the block maximum maps to 6. */
    REFERENCE,
    /**
     * Four Over Six (Cook et al. 2025, arXiv 2512.02010): per block, quantize with the maximum mapped
     * to 6 and to 4, keep the one with the lower squared error (6 on a tie). The tensor scale leaves
     * E4M3 headroom for the larger "4" scale: amax / (6 * 256) instead of amax / (6 * 448).
     */
    FOUR_OVER_SIX,
    /**
     * Per block, try the E4M3 scale codes from seven below the reference code to two above it and keep
     * the lowest squared error, the reference on a tie. Seven steps down always reach two thirds of
     * the reference scale (the "4" candidate of Four Over Six; a step is a factor 1.0625 to 1.125), two
     * up let a block whose maximum the reference clips at 6 keep it. Never worse than the reference
     * on any block; ten candidates cost about ten reference quantizations.
     */
    MSE_SEARCH;

    /** How many E4M3 scale codes below the reference code {@link #MSE_SEARCH} tries. */
    public static final int MSE_CODES_BELOW = 7;
    /**
     * How many E4M3 scale codes above the reference code {@link #MSE_SEARCH} tries; every candidate
     * stays within the positive finite codes 0x01 to 0x7E.
     */
    public static final int MSE_CODES_ABOVE = 2;
}
