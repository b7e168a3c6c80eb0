package io.nvfp4.quantize;

/**
 * How an MX block's E8M0 scale exponent is chosen from the block amax {@code a} (spec section 4.2;
 * torchao {@code ScaleCalculationMode}). {@code emax} is the element type's largest exponent (2 for
 * E2M1). Every rule works on the exact binary exponent, never on a libm {@code log2}.
 */
public enum MxScaleRule {
    /** OCP MX v1.0: 2^(floor(log2 a) - emax). Scaled maxima can reach just under 8 and saturate to 6. */
    FLOOR,
    /** 2^(ceil(log2 a) - emax): never overflows the element range, wastes up to a binade. */
    CEIL,
    /** Round {@code a} half-up at the element's mantissa width first, then FLOOR (compressed-tensors' MXFP4 rule). */
    EVEN,
    /** The cuBLAS recipe: 2^ceil(log2(a / maxNormal)), with {@code a * (1 / maxNormal)} in fp32. */
    RCEIL
}
