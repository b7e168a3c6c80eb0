package io.nvfp4.quantize;

import io.nvfp4.format.E8M0;
import io.nvfp4.format.ElementType;

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
    RCEIL;

    /**
     * The E8M0 scale byte for a finite block amax {@code a} with elements of {@code element}. Exponents
     * are read from the fp32 bits, exactly; they are clamped to the E8M0 range -127..127, so a finite
     * amax never yields the NaN code. Every backend's MX quantizer uses this one definition.
     */
    public int scaleCode(ElementType element, float a) {
        int bits = Float.floatToRawIntBits(Math.abs(a));
        int biasedExponent = bits >>> 23;
        boolean hasMantissa = (bits & 0x7FFFFF) != 0;
        int emax = element.emax();
        int exponent = switch (this) {
            case FLOOR -> biasedExponent - 127 - emax;
            case CEIL -> biasedExponent - 127 + (hasMantissa ? 1 : 0) - emax;
            case EVEN -> {
                // round a half-up at the element's mantissa width, then keep only the exponent
                int rounded = (bits + (1 << (23 - element.mantissaBits() - 1))) & 0x7F800000;
                yield (rounded >>> 23) - 127 - emax;
            }
            case RCEIL -> {
                float d = a * (1f / element.maxNormal());
                int dBits = Float.floatToRawIntBits(Math.abs(d));
                int dExponent = dBits >>> 23;
                int dMantissa = dBits & 0x7FFFFF;
                int code = dExponent > 0 ? dExponent + (dMantissa != 0 ? 1 : 0) : (dMantissa > 0x400000 ? 1 : 0);
                yield code - E8M0.BIAS;
            }
        };
        return E8M0.fromExponent(exponent);
    }
}
