package io.nvfp4.format;

/**
 * The element types of the block formats (spec section 1): sign-magnitude minifloats and the
 * two's-complement INT8 of MXINT8.
 *
 * <p>Every type offers {@link #decode(int)}, a full {@link #decodeTable()} and an encoder that
 * rounds to the nearest representable value with a chosen tie rule and <b>saturates</b> at
 * {@link #maxNormal()}, which is what every block-format reference does (the NVFP4 paths clamp
 * before the E4M3 cast; the MX paths clamp the scaled element).
 *
 * <p>Encoding is written for clarity: scale the magnitude onto its binade's integer grid (an
 * exact power-of-two division), round that integer, and rebuild the code from the rounded value.
 * E2M1 also has the threshold form the references use; both are tested against a brute-force
 * nearest-value search over every code.
 */
public enum ElementType {
    /** FP4 E2M1: 0, 0.5, 1, 1.5, 2, 3, 4, 6. No Inf, no NaN. */
    E2M1(4, 2, 1, 1),
    /** FP6 E2M3: max 7.5. No Inf, no NaN. */
    E2M3(6, 2, 3, 1),
    /** FP6 E3M2: max 28. No Inf, no NaN. */
    E3M2(6, 3, 2, 3),
    /** FP8 E4M3 "FN": max 448, NaN = S.1111.111, no Inf. Also the NVFP4 block-scale type. */
    E4M3(8, 4, 3, 7),
    /** FP8 E5M2: max 57344, IEEE-style Inf and NaN. */
    E5M2(8, 5, 2, 15),
    /** MXINT8: two's-complement int8 with an implicit scale of 2^-6, so k/64 for k in -127..127. */
    INT8(8, 0, 6, 0);

    private final int bits;
    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final int signMask;
    private final float maxNormal;
    private final int maxCode;
    private final float[] table;

    ElementType(int bits, int exponentBits, int mantissaBits, int bias) {
        this.bits = bits;
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.signMask = 1 << (bits - 1);
        this.table = new float[1 << bits];
        for (int code = 0; code < table.length; code++) {
            table[code] = decodeSlow(code);
        }
        float max = 0;
        int maxAt = 0;
        for (int code = 0; code < signMask; code++) {
            if (Float.isFinite(table[code]) && table[code] > max) {
                max = table[code];
                maxAt = code;
            }
        }
        this.maxNormal = max;
        this.maxCode = maxAt;
    }

    /** Bits in one code (4, 6 or 8). */
    public int bits() { return bits; }

    /** Exponent bits (0 for INT8). */
    public int exponentBits() { return exponentBits; }

    /** Mantissa bits (6 for INT8: its implicit 2^-6 step). */
    public int mantissaBits() { return mantissaBits; }

    /** Exponent bias (0 for INT8). */
    public int bias() { return bias; }

    /** Largest finite magnitude: 6, 7.5, 28, 448, 57344, 127/64. */
    public float maxNormal() { return maxNormal; }

    /** The positive code of {@link #maxNormal()}. */
    public int maxNormalCode() { return maxCode; }

    /** {@code floor(log2(maxNormal))}: the {@code emax_elem} of the OCP MX shared-scale rule. */
    public int emax() { return Math.getExponent(maxNormal); }

    /** The sign bit of a code. */
    public int signMask() { return signMask; }

    /** Whether some code decodes to NaN (E4M3, E5M2). */
    public boolean hasNaN() { return this == E4M3 || this == E5M2; }

    /** The positive NaN code of types that have one. */
    public int nanCode() {
        return switch (this) {
            case E4M3 -> 0x7F;
            case E5M2 -> 0x7E;
            default -> throw new UnsupportedOperationException(this + " has no NaN code");
        };
    }

    /** The value of a code (its low {@link #bits()} bits). */
    public float decode(int code) {
        return table[code & (table.length - 1)];
    }

    /** A fresh copy of the full decode table, indexed by code. */
    public float[] decodeTable() {
        return table.clone();
    }

    /**
     * Encodes with round-half-to-even, the IEEE sign bit for zeros, and saturation at
     * {@link #maxNormal()} (±Inf saturate too). NaN gives the NaN code where the type has one.
     *
     * @throws IllegalArgumentException for NaN on a type without a NaN code
     */
    public int encode(float x) {
        return encode(x, Ties.EVEN, ZeroSign.SIGN_BIT);
    }

    /**
     * Encodes {@code x} as the nearest representable value, ties broken by {@code ties},
     * saturating at ±{@link #maxNormal()} (±Inf included).
     *
     * @param zeroSign which sign a code whose magnitude rounds to zero carries
     * @throws IllegalArgumentException for NaN on a type without a NaN code
     */
    public int encode(float x, Ties ties, ZeroSign zeroSign) {
        if (Float.isNaN(x)) {
            if (hasNaN()) {
                return nanCode() | (Float.floatToRawIntBits(x) < 0 ? signMask : 0);
            }
            throw new IllegalArgumentException("NaN has no " + this + " code");
        }
        int magnitude = this == E2M1 ? e2m1Magnitude(Math.abs(x), ties) : magnitudeCode(Math.abs(x), ties);
        boolean negative = switch (zeroSign) {
            case SIGN_BIT -> Float.floatToRawIntBits(x) < 0;
            case NEGATIVE -> x < 0;
            case POSITIVE -> x < 0 && magnitude != 0;
        };
        if (this == INT8) {
            return negative ? (-magnitude) & 0xFF : magnitude;
        }
        return negative ? magnitude | signMask : magnitude;
    }

    /** The magnitude code (sign bit clear) nearest to {@code a >= 0}, saturating. */
    private int magnitudeCode(float a, Ties ties) {
        if (a >= maxNormal) {
            return maxCode;
        }
        if (this == INT8) {
            return (int) ties.round(a * 64.0);
        }
        int minNormalExponent = 1 - bias;
        int exponent = Math.max(Math.getExponent(a), minNormalExponent);
        double step = Math.scalb(1.0, exponent - mantissaBits); // spacing of the grid in a's binade
        double rounded = ties.round(a / step) * step;              // exact: a power-of-two scaling
        if (rounded == 0) {
            return 0;
        }
        int e = Math.getExponent(rounded);
        if (e < minNormalExponent) { // subnormal: mantissa counts steps of 2^(emin - m)
            return (int) Math.scalb(rounded, mantissaBits - minNormalExponent);
        }
        int mantissa = (int) Math.scalb(rounded, mantissaBits - e) - (1 << mantissaBits);
        return ((e + bias) << mantissaBits) | mantissa;
    }

    /**
     * E2M1 by thresholds on the midpoints 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, as the references
     * write it (compressed-tensors {@code cast_to_fp4}, modelopt's {@code searchsorted}).
     */
    private static int e2m1Magnitude(float a, Ties ties) {
        return switch (ties) {
            case EVEN -> a <= 0.25f ? 0 : a < 0.75f ? 1 : a <= 1.25f ? 2 : a < 1.75f ? 3
                    : a <= 2.5f ? 4 : a < 3.5f ? 5 : a <= 5f ? 6 : 7;
            case AWAY_FROM_ZERO -> a < 0.25f ? 0 : a < 0.75f ? 1 : a < 1.25f ? 2 : a < 1.75f ? 3
                    : a < 2.5f ? 4 : a < 3.5f ? 5 : a < 5f ? 6 : 7;
            case TOWARD_ZERO -> a <= 0.25f ? 0 : a <= 0.75f ? 1 : a <= 1.25f ? 2 : a <= 1.75f ? 3
                    : a <= 2.5f ? 4 : a <= 3.5f ? 5 : a <= 5f ? 6 : 7;
        };
    }

    /**
     * Decodes from the bit fields; used once to build the table. It runs inside the enum constructor,
     * where the constants are not assigned yet, so it tells the types apart by their fields.
     */
    private float decodeSlow(int code) {
        if (exponentBits == 0) { // INT8
            return (byte) code / 64f;
        }
        boolean negative = (code & signMask) != 0;
        int e = (code >>> mantissaBits) & ((1 << exponentBits) - 1);
        int m = code & ((1 << mantissaBits) - 1);
        float magnitude;
        if (exponentBits == 4 && e == 15 && m == 7) { // E4M3 "FN": only S.1111.111 is NaN
            magnitude = Float.NaN;
        } else if (exponentBits == 5 && e == 31) {     // E5M2: IEEE Inf and NaN
            magnitude = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (e == 0) {
            magnitude = Math.scalb((float) m, 1 - bias - mantissaBits);
        } else {
            magnitude = Math.scalb((float) ((1 << mantissaBits) | m), e - bias - mantissaBits);
        }
        return negative ? -magnitude : magnitude;
    }
}
