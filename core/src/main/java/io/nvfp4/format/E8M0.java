package io.nvfp4.format;

/**
 * E8M0, the OCP MX shared scale: an unsigned biased exponent, value 2^(code - 127) for codes
 * 0..254 (code 0 is the fp32 subnormal 2^-127), 0xFF = NaN; no zero, no sign (spec section 1.3).
 */
public final class E8M0 {
    /** The exponent bias. */
    public static final int BIAS = 127;
    /** The NaN code. */
    public static final int NAN = 0xFF;

    private static final float[] TABLE = new float[256];

    static {
        for (int code = 0; code < 255; code++) {
            TABLE[code] = Math.scalb(1f, code - BIAS);
        }
        TABLE[NAN] = Float.NaN;
    }

    private E8M0() {}

    /** 2^(code - 127), or NaN for 0xFF. */
    public static float decode(int code) {
        return TABLE[code & 0xFF];
    }

    /** A fresh copy of the 256-entry decode table. */
    public static float[] decodeTable() {
        return TABLE.clone();
    }

    /** The code of 2^exponent, clamped to the representable exponents -127..127. */
    public static int fromExponent(int exponent) {
        return Math.clamp(exponent, -BIAS, 254 - BIAS) + BIAS;
    }

    /** The unbiased exponent of a non-NaN code. */
    public static int exponent(int code) {
        if ((code & 0xFF) == NAN) {
            throw new IllegalArgumentException("E8M0 0xFF is NaN and has no exponent");
        }
        return (code & 0xFF) - BIAS;
    }
}
