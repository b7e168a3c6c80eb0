package io.nvfp4.quantize;

import io.nvfp4.format.E8M0;
import io.nvfp4.format.ElementType;

/** The scalar OCP MX reference (spec sections 4.2 and 4.3). */
final class MxReference {
    private MxReference() {}

    /**
     * The E8M0 scale byte for a finite block amax {@code a}. Exponents are read from the fp32 bits,
     * exactly; they are clamped to the E8M0 range -127..127, so a finite amax never yields the NaN code.
     */
    static int scaleCode(MxScaleRule rule, ElementType element, float a) {
        int bits = Float.floatToRawIntBits(Math.abs(a));
        int biasedExponent = bits >>> 23;
        boolean hasMantissa = (bits & 0x7FFFFF) != 0;
        int emax = element.emax();
        int exponent = switch (rule) {
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

    /** 2^(127 - code): the exact reciprocal of the block scale, what torchao multiplies by. */
    static float reciprocal(int scaleCode) {
        return E8M0.decode(254 - scaleCode);
    }

    /** The element code of {@code x} in a block with scale reciprocal {@code reciprocal}. */
    static int elementCode(ElementType element, MxRecipe recipe, float x, float reciprocal) {
        return element.encode(x * reciprocal, recipe.ties(), recipe.zeroSign());
    }
}
