package io.nvfp4.format;

/**
 * Which sign an element code gets when its value is zero. Both zero codes decode to zero; only the
 * stored bits differ (spec section 2.5, golden case {@code negative_zero}).
 */
public enum ZeroSign {
    /** Copy the input's IEEE sign bit: -0.0 and tiny negatives give negative zero (torchao). */
    SIGN_BIT,
    /** Sign set when the input is below zero: -0.0 gives +0, tiny negatives give -0 (modelopt, compressed-tensors). */
    NEGATIVE,
    /** Never a negative zero: tiny negatives and -0.0 give +0 (ggml's first-minimum search). */
    POSITIVE
}
